/**
 * What a container runs, whatever it or its workload is called: the programs its command and
 * args start once launchers (`env X=1`, `exec`, `tini --`, `nice`, ...) and shells (`sh -c "..."`,
 * `/bin/bash -lc`, `sh /scripts/start.sh` with the script found in a mounted ConfigMap) are
 * unwrapped. A shell script is read as the shell reads it, far enough to find each command's
 * program: quotes, `;` `&&` `||` `|` `&` newlines, subshells and `$( )`, leading assignments
 * and keywords. Lines a script writes (`echo`, `printf`, here-documents) are kept, because a
 * server's config file is often written by the script that starts it.
 */
import { Container } from "./kube";

/** One program a container starts, with its arguments. */
export interface Invocation {
    /** The program's file name, lowercased, without its directory. */
    program: string;
    args: string[];
    /** Lines the script this program was started from writes (echo, printf, here-documents). */
    written: string[];
    /** A script the container runs that the pack cannot read (not in a mounted ConfigMap). */
    unreadScript?: string;
}

/** Reads a file of the container's filesystem when the pack can see it (a mounted ConfigMap key). */
export type FileReader = (path: string) => string | undefined;

const SHELLS = new Set(["sh", "bash", "dash", "ash", "zsh", "ksh", "mksh"]);
/** Programs that run the rest of their command line, after options of their own. */
const LAUNCHERS: Readonly<Record<string, { valued?: string[]; positional?: number }>> = {
    exec: { valued: ["-a"] },
    env: { valued: ["-u", "--unset", "-C", "--chdir", "-S", "--split-string"] },
    nice: { valued: ["-n", "--adjustment"] },
    nohup: {},
    ionice: { valued: ["-c", "-n", "-p"] },
    stdbuf: { valued: ["-i", "-o", "-e"] },
    timeout: { valued: ["-s", "--signal", "-k", "--kill-after"], positional: 1 },
    tini: { valued: ["-s", "-e", "-p"] },
    "dumb-init": { valued: ["-r", "--rewrite"] },
    catatonit: {},
    gosu: { positional: 1 },
    "su-exec": { positional: 1 },
    chpst: {
        valued: ["-u", "-U", "-e", "-/", "-n", "-l", "-L", "-m", "-d", "-o", "-p", "-f", "-c"],
    },
    setpriv: { valued: ["--reuid", "--regid", "--groups", "--inh-caps", "--bounding-set"] },
    "s6-setuidgid": { positional: 1 },
    command: {},
    builtin: {},
    time: {},
    xargs: {},
    busybox: {},
};
const KEYWORDS = new Set([
    "if",
    "then",
    "else",
    "elif",
    "fi",
    "do",
    "done",
    "while",
    "until",
    "for",
    "!",
    "{",
    "}",
    "case",
    "esac",
    "in",
]);
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;

/** The file name of a program path, lowercased. */
export function programName(word: string): string {
    return word.slice(word.lastIndexOf("/") + 1).toLowerCase();
}

/**
 * The programs a container starts. An empty command line runs the image's own entrypoint, which
 * the pack cannot see: the result is then empty and callers judge the image.
 */
export function invocationsOf(
    container: Container,
    read: FileReader = () => undefined,
): Invocation[] {
    const words = [...(container.command ?? []), ...(container.args ?? [])].map(String);
    return unwrap(words, read, [], 0);
}

function unwrap(words: string[], read: FileReader, written: string[], depth: number): Invocation[] {
    // Leading assignments (`X=1 redis-server`) set the environment of the program that follows.
    let i = 0;
    while (i < words.length && ASSIGNMENT.test(words[i])) i++;
    if (i >= words.length || depth > 8) return [];
    const program = programName(words[i]);
    const rest = words.slice(i + 1);
    const launcher = LAUNCHERS[program];
    if (launcher !== undefined) {
        return unwrap(afterOptions(rest, launcher), read, written, depth + 1);
    }
    if (SHELLS.has(program)) {
        return shell(program, rest, read, written, depth);
    }
    return [{ program, args: rest, written }];
}

/** The words after a launcher's own options (and, for `env`, its assignments). */
function afterOptions(
    words: string[],
    launcher: { valued?: string[]; positional?: number },
): string[] {
    let i = 0;
    while (i < words.length) {
        const word = words[i];
        if (word === "--") return words.slice(i + 1 + (launcher.positional ?? 0));
        if (ASSIGNMENT.test(word)) i++;
        else if (word.startsWith("-") && word.length > 1)
            i += launcher.valued?.includes(word) ? 2 : 1;
        else break;
    }
    return words.slice(i + (launcher.positional ?? 0));
}

/** `sh [options] -c script [name args...]`, or `sh [options] file [args...]`. */
function shell(
    program: string,
    words: string[],
    read: FileReader,
    written: string[],
    depth: number,
): Invocation[] {
    let i = 0;
    let inline = false;
    while (i < words.length && /^[-+][A-Za-z]+$/.test(words[i])) {
        if (words[i].startsWith("-") && words[i].includes("c")) inline = true;
        // `-o option` takes a value.
        i += /^[-+]o$/.test(words[i]) ? 2 : 1;
    }
    if (words[i] === "--") i++;
    if (i >= words.length) return [{ program, args: words, written }];
    if (inline) return script(words[i], read, depth);
    const text = read(words[i]);
    if (text === undefined) return [{ program, args: words, written, unreadScript: words[i] }];
    return script(text, read, depth);
}

/** Every program a shell script starts, each with the lines the script writes. */
export function script(text: string, read: FileReader = () => undefined, depth = 0): Invocation[] {
    const { commands, written } = parseScript(text);
    return commands.flatMap((words) => {
        let start = 0;
        while (start < words.length && KEYWORDS.has(words[start])) start++;
        return unwrap(words.slice(start), read, written, depth + 1);
    });
}

/** The commands of a script as word lists, and the lines it writes. */
export function parseScript(text: string): { commands: string[][]; written: string[] } {
    const commands: string[][] = [];
    const written: string[] = [];
    const heredocs: string[] = [];
    let words: string[] = [];
    let word: string | undefined;
    const endWord = () => {
        if (word !== undefined) words.push(word);
        word = undefined;
    };
    const endCommand = () => {
        endWord();
        if (words.length > 0) {
            commands.push(words);
            if (["echo", "printf"].includes(programName(words[0]))) {
                written.push(
                    words
                        .slice(1)
                        .filter((w) => !/^-[neE]+$/.test(w))
                        .join(" "),
                );
            }
        }
        words = [];
    };
    const lines = text.replace(/\\\n/g, "").split("\n");
    for (let l = 0; l < lines.length; l++) {
        const line = lines[l];
        for (let c = 0; c < line.length; c++) {
            const ch = line[c];
            if (ch === "'" || ch === '"') {
                const close = line.indexOf(ch, c + 1);
                const end = close < 0 ? line.length : close;
                word = (word ?? "") + line.slice(c + 1, end);
                c = end;
            } else if (ch === "\\" && c + 1 < line.length) {
                word = (word ?? "") + line[++c];
            } else if (ch === "#" && word === undefined) {
                break;
            } else if (line.startsWith("<<", c)) {
                const match = /^<<-?\s*['"]?([A-Za-z_][A-Za-z0-9_]*)['"]?/.exec(line.slice(c));
                if (match) {
                    heredocs.push(match[1]);
                    c += match[0].length - 1;
                } else {
                    endWord();
                    c++;
                }
            } else if (line.startsWith("$(", c)) {
                // A command substitution is a command of its own.
                endCommand();
                c++;
            } else if (" \t".includes(ch)) {
                endWord();
            } else if (";&|()`<>".includes(ch)) {
                endWord();
                if (ch !== "<" && ch !== ">") endCommand();
                // A redirection's target is not an argument.
                else {
                    while (line[c + 1] === ">" || line[c + 1] === "&" || line[c + 1] === " ") c++;
                    const target = /^[^\s;&|()]+/.exec(line.slice(c + 1));
                    if (target) c += target[0].length;
                }
            } else {
                word = (word ?? "") + ch;
            }
        }
        endCommand();
        // Here-document bodies follow the line that opened them.
        for (const marker of heredocs.splice(0)) {
            while (++l < lines.length && lines[l].trim() !== marker) written.push(lines[l].trim());
        }
    }
    return { commands, written };
}
