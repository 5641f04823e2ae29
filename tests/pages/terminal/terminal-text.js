/** The text the terminal after script `id` shows, its lines joined (null: no terminal yet). */
window.terminalText = (id) => {
  const terminal = document.getElementById(id)?.terminal;
  if (!terminal) return null;
  const buffer = terminal.buffer.active;
  const lines = [];
  for (let i = 0; i < buffer.length; i += 1) lines.push(buffer.getLine(i).translateToString(true));
  return lines.join("\n").trimEnd();
};
