/**
 * rustpy's Vite plugin: copies the lazily loaded stdlib (`library/`) next to the bundle
 * file holding rustpy's loader, and keeps rustpy out of dependency pre-bundling.
 * The returned object is a Vite `Plugin`.
 */
export default function rustpy(): {
  name: string;
  [hook: string]: unknown;
};
