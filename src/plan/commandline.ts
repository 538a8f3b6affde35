/**
 * Engine command lines in shell or text files: split like a POSIX shell (quotes, backslash-newline
 * continuations, comments), find `python3 -m sglang.launch_server …`, `vllm serve …`, `trtllm-serve …` and the
 * Dynamo workers (`python3 -m dynamo.sglang|dynamo.vllm|dynamo.trtllm …`), and parse their flags.
 */

/** A shell word and the 1-based line it starts on. */
export interface Word {
  text: string;
  line: number;
}

/** One engine invocation found in a text. */
export interface EngineCommand {
  engine: "sglang" | "vllm" | "trtllm";
  /** How it is started: "sglang.launch_server", "dynamo.sglang", "vllm serve", "dynamo.vllm", "trtllm-serve", "dynamo.trtllm". */
  launcher: string;
  /** Positional arguments after the entry point (e.g. the model of `vllm serve MODEL`). */
  positional: Word[];
  /** Flags in order: name with dashes, value (true for a bare flag), line. */
  flags: { name: string; value: string | true; line: number }[];
  /** Line of the entry point. */
  line: number;
}

/**
 * Split shell text into commands of words (`;`, `&&`, `||`, `|`, `&` and unescaped newlines end a command).
 * @param text shell or text file content
 * @returns commands, each a list of words with their line numbers
 * @throws {TypeError} when text is not a string
 * @example splitShell("a 'b c' \\\n d && e")[0].map(w => w.text) // ["a", "b c", "d"]
 */
export function splitShell(text: string): Word[][] {
  if (typeof text !== "string") throw new TypeError(`text must be a string, got ${typeof text}`);
  const cmds: Word[][] = [];
  let cur: Word[] = [];
  let word = "";
  let inWord = false;
  let wordLine = 1;
  let line = 1;
  const end = () => {
    if (inWord) cur.push({ text: word, line: wordLine });
    word = "";
    inWord = false;
  };
  const endCmd = () => {
    end();
    if (cur.length) cmds.push(cur);
    cur = [];
  };
  const start = () => {
    if (!inWord) {
      inWord = true;
      wordLine = line;
    }
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "\\" && text[i + 1] === "\n") {
      line++;
      i++;
      continue;
    }
    if (c === "\\" && i + 1 < text.length) {
      start();
      word += text[++i];
      continue;
    }
    if (c === "'" || c === '"') {
      start();
      const q = c;
      i++;
      while (i < text.length && text[i] !== q) {
        if (q === '"' && text[i] === "\\" && i + 1 < text.length && '"\\$`'.includes(text[i + 1])) i++;
        if (text[i] === "\n") line++;
        word += text[i++];
      }
      continue;
    }
    if (c === "#" && !inWord) {
      while (i < text.length && text[i] !== "\n") i++;
      i--;
      continue;
    }
    if (c === "\n") {
      endCmd();
      line++;
      continue;
    }
    if (c === ";" || c === "|" || c === "&") {
      endCmd();
      if (text[i + 1] === c) i++;
      continue;
    }
    if (c === " " || c === "\t" || c === "\r") {
      end();
      continue;
    }
    start();
    word += c;
  }
  endCmd();
  return cmds;
}

const ENTRIES: { match: (w: Word[], i: number) => number; engine: EngineCommand["engine"]; launcher: string }[] = [
  { match: (w, i) => (w[i].text === "-m" && w[i + 1]?.text === "sglang.launch_server" ? 2 : 0), engine: "sglang", launcher: "sglang.launch_server" },
  { match: (w, i) => (w[i].text === "-m" && w[i + 1]?.text === "dynamo.sglang" ? 2 : 0), engine: "sglang", launcher: "dynamo.sglang" },
  { match: (w, i) => (w[i].text === "-m" && w[i + 1]?.text === "dynamo.vllm" ? 2 : 0), engine: "vllm", launcher: "dynamo.vllm" },
  { match: (w, i) => (w[i].text === "-m" && w[i + 1]?.text === "dynamo.trtllm" ? 2 : 0), engine: "trtllm", launcher: "dynamo.trtllm" },
  { match: (w, i) => (/(^|\/)vllm$/.test(w[i].text) && w[i + 1]?.text === "serve" ? 2 : 0), engine: "vllm", launcher: "vllm serve" },
  { match: (w, i) => (/(^|\/)trtllm-serve$/.test(w[i].text) ? 1 : 0), engine: "trtllm", launcher: "trtllm-serve" },
];

/**
 * Find engine invocations in a shell or text file and parse their flags. A flag takes the next word as its
 * value unless it is in `booleanFlags` of its engine, is written `--flag=value`, or the next word is a flag.
 * @param text file content
 * @param booleanFlags per engine, flags that never take a value
 * @returns the engine commands in order of appearance
 * @throws {TypeError} when text is not a string
 * @example findEngineCommands("python3 -m sglang.launch_server --tp 8 --enable-eplb", { sglang: ["--enable-eplb"], vllm: [], trtllm: [] })[0].flags.length // 2
 */
export function findEngineCommands(text: string, booleanFlags: Record<EngineCommand["engine"], readonly string[]>): EngineCommand[] {
  const out: EngineCommand[] = [];
  for (const words of splitShell(text)) {
    for (let i = 0; i < words.length; i++) {
      const e = ENTRIES.find((x) => x.match(words, i) > 0);
      if (!e) continue;
      const skip = e.match(words, i);
      const rest = words.slice(i + skip);
      const cmd: EngineCommand = { engine: e.engine, launcher: e.launcher, positional: [], flags: [], line: words[i].line };
      const bools = booleanFlags[e.engine];
      for (let j = 0; j < rest.length; j++) {
        const w = rest[j];
        if (!w.text.startsWith("-") || w.text === "-" || /^-\d/.test(w.text)) {
          cmd.positional.push(w);
          continue;
        }
        const eq = w.text.indexOf("=");
        if (eq > 0) {
          cmd.flags.push({ name: w.text.slice(0, eq), value: w.text.slice(eq + 1), line: w.line });
          continue;
        }
        const next = rest[j + 1];
        if (bools.includes(w.text) || !next || (next.text.startsWith("-") && !/^-\d/.test(next.text))) {
          cmd.flags.push({ name: w.text, value: true, line: w.line });
        } else {
          cmd.flags.push({ name: w.text, value: next.text, line: w.line });
          j++;
        }
      }
      out.push(cmd);
      break;
    }
  }
  return out;
}

/** Last value of any of `names` (aliases) in a command, or undefined. */
export function flagValue(cmd: EngineCommand, names: readonly string[]): { value: string | true; line: number } | undefined {
  let found: { value: string | true; line: number } | undefined;
  for (const f of cmd.flags) if (names.includes(f.name)) found = { value: f.value, line: f.line };
  return found;
}

/** An integer flag value (undefined when absent or not an integer). */
export function intFlag(cmd: EngineCommand, names: readonly string[]): number | undefined {
  const v = flagValue(cmd, names);
  if (!v || v.value === true) return undefined;
  const n = Number(v.value);
  return Number.isInteger(n) ? n : undefined;
}

/**
 * Quote a word for a POSIX shell (single quotes when it holds anything but safe characters).
 * @example shellQuote('{"a": 1}') // `'{"a": 1}'`
 */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./:=,@+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
