/**
 * The low-level checks of the credential detector (credentials.ts): each reads the characters it
 * is given once, with no pattern that can backtrack over a run of them.
 */
import type { Span } from "./secretlint";

/** Whether `value[from, to)` is one or more spaces or tabs. */
export function blanks(value: string, from: number, to: number): boolean {
    if (from < 0 || to <= from) return false;
    for (let i = from; i < to; i++) {
        const c = value.charCodeAt(i);
        if (c !== 32 && c !== 9) return false;
    }
    return true;
}

/** Whether nothing but blanks stands between the line's start and a token at `start`. */
export function firstOnLine(value: string, prevEnd: number, start: number): boolean {
    // Only the text since the previous token is read: linear over the whole value.
    for (let i = start - 1; i >= Math.max(prevEnd, 0); i--) {
        const c = value.charCodeAt(i);
        if (c === 10) return true;
        if (c !== 32 && c !== 9 && c !== 13) return false;
    }
    return prevEnd < 0;
}

/** The `[start, end)` of every PEM certificate or public key block, in order. */
export function certificates(value: string): [number, number][] {
    const out: [number, number][] = [];
    for (let i = value.indexOf("-----BEGIN "); i >= 0; i = value.indexOf("-----BEGIN ", i + 1)) {
        const label = value.slice(i + 11, i + 40);
        if (!/^(CERTIFICATE|PUBLIC KEY)-----/.test(label)) continue;
        const end = value.indexOf("-----END ", i);
        if (end < 0) break;
        out.push([i, end]);
        i = end;
    }
    return out;
}

export function trimPadding(text: string): string {
    let end = text.length;
    while (end > 0 && text[end - 1] === "=") end--;
    return text.slice(0, end);
}

/**
 * A random-looking token: 20+ characters mixing upper, lower and digits at 4 bits of entropy per
 * character or more, or 32+ hex digits (an API key, not a word, a path or a name).
 */
const HEX = /^[0-9a-fA-F]+$/;

export function highEntropy(token: string): boolean {
    const t = trimPadding(token);
    if (t.length < 20 || t.length > 8192) return t.length > 8192 && highEntropy(t.slice(0, 8192));
    const digit = /[0-9]/.test(t);
    const upper = /[A-Z]/.test(t);
    const lower = /[a-z]/.test(t);
    if (!digit || !(upper || lower)) return false;
    if (t.length >= 32 && HEX.test(t)) return entropy(t) >= 3;
    if (upper && lower) return entropy(t) >= 4;
    return t.length >= 32 && entropy(t) >= 4.2;
}

function entropy(t: string): number {
    const counts = new Map<string, number>();
    for (const c of t) counts.set(c, (counts.get(c) ?? 0) + 1);
    let h = 0;
    for (const n of counts.values()) h -= (n / t.length) * Math.log2(n / t.length);
    return h;
}

export function printable(text: string): boolean {
    let ok = 0;
    for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if ((c >= 32 && c < 127) || c === 9 || c === 10 || c === 13) ok++;
    }
    return ok >= text.length * 0.95;
}

/**
 * The password spans of URLs (`amqp://user:secret@broker`): one pass, not a pattern. Each `://`
 * looks back over its scheme and ahead over its authority, and both stop at the neighbouring
 * `://`, so every character is read a bounded number of times (the pattern this replaced
 * backtracked: 40,000 letters took 1.9 s, quadratic).
 */
export function urlPasswords(value: string): Span[] {
    const out: Span[] = [];
    for (let i = value.indexOf("://"); i >= 0; i = value.indexOf("://", i + 3)) {
        // A scheme: letters, digits, + . - before "://", at least one of them a letter.
        let start = i;
        let letter = false;
        while (start > 0 && isSchemeChar(value.charCodeAt(start - 1))) {
            start--;
            letter ||= isLetter(value.charCodeAt(start));
        }
        if (!letter) continue;
        // The authority runs to the next "/" or whitespace; a password is `user:password@`.
        let end = i + 3;
        let colon = -1;
        let at = -1;
        for (; end < value.length; end++) {
            const c = value.charCodeAt(end);
            if (c === 47 || c === 32 || (c >= 9 && c <= 13)) break; // "/" or whitespace
            if (c === 58 && colon < 0) colon = end; // ":"
            if (c === 64 && at < 0) at = end; // "@"
        }
        if (colon >= 0 && at > colon + 1) {
            out.push({ kind: "a URL with a password", start: colon + 1, end: at });
        }
    }
    return out;
}

function isLetter(c: number): boolean {
    return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function isSchemeChar(c: number): boolean {
    return isLetter(c) || (c >= 48 && c <= 57) || c === 43 || c === 46 || c === 45; // + . -
}

/** Whether a value holds a URL with a password (stacks/ranges.ts re-exports it). */
export function hasUrlPassword(value: string): boolean {
    return urlPasswords(value).length > 0;
}
