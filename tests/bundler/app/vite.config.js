// The two lines a Vite app needs for rustpy (README: "Bundlers").
import rustpy from "rustpy/vite";
export default { plugins: [rustpy()] };
