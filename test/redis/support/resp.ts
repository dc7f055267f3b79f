/**
 * A minimal Redis client (RESP2 over TCP) for the behaviour tests: one connection, one command at a
 * time, every call bounded by a timeout. Written here rather than taken from npm so the tests see
 * exactly what a client sees on the wire (a closed connection, `-READONLY`, `-NOAUTH`), with no
 * reconnect or retry logic hiding it.
 */
import * as net from "net";

export type Reply = string | number | null | Reply[] | RedisError;

/** An error reply (`-ERR ...`), as a value: tests inspect what clients were told. */
export class RedisError extends Error {}

/** Parses one reply from `buf` at `pos`; undefined when more bytes are needed. */
function parse(buf: Buffer, pos: number): { value: Reply; end: number } | undefined {
    const eol = buf.indexOf("\r\n", pos);
    if (eol < 0) return undefined;
    const line = buf.toString("utf8", pos + 1, eol);
    switch (String.fromCharCode(buf[pos])) {
        case "+":
            return { value: line, end: eol + 2 };
        case "-":
            return { value: new RedisError(line), end: eol + 2 };
        case ":":
            return { value: Number(line), end: eol + 2 };
        case "$": {
            const len = Number(line);
            if (len < 0) return { value: null, end: eol + 2 };
            if (buf.length < eol + 2 + len + 2) return undefined;
            return { value: buf.toString("utf8", eol + 2, eol + 2 + len), end: eol + 4 + len };
        }
        case "*": {
            const n = Number(line);
            if (n < 0) return { value: null, end: eol + 2 };
            const items: Reply[] = [];
            let at = eol + 2;
            for (let i = 0; i < n; i++) {
                const item = parse(buf, at);
                if (!item) return undefined;
                items.push(item.value);
                at = item.end;
            }
            return { value: items, end: at };
        }
        default:
            throw new Error(`unexpected RESP byte ${buf[pos]}`);
    }
}

export class Connection {
    private buffer = Buffer.alloc(0);
    private waiting?: { resolve: (r: Reply) => void; reject: (e: Error) => void };
    private closed?: Error;

    private constructor(private readonly socket: net.Socket) {
        socket.on("data", (chunk) => {
            this.buffer = Buffer.concat([this.buffer, chunk]);
            this.drain();
        });
        const fail = (e: Error) => {
            this.closed ??= e;
            this.waiting?.reject(this.closed);
            this.waiting = undefined;
        };
        socket.on("error", fail);
        socket.on("close", () => fail(new Error("connection closed by the server")));
    }

    /** Connects (and authenticates when a password is given) within `timeoutMs`. */
    static async open(
        host: string,
        port: number,
        password?: string,
        timeoutMs = 2000,
    ): Promise<Connection> {
        const socket = await new Promise<net.Socket>((resolve, reject) => {
            const s = net.connect({ host, port });
            const timer = setTimeout(() => {
                s.destroy();
                reject(new Error(`connect ${host}:${port} timed out`));
            }, timeoutMs);
            s.once("connect", () => {
                clearTimeout(timer);
                resolve(s);
            });
            s.once("error", (e) => {
                clearTimeout(timer);
                reject(e);
            });
        });
        const c = new Connection(socket);
        if (password !== undefined) {
            try {
                const ok = await c.call(["AUTH", password], timeoutMs);
                if (ok instanceof RedisError) throw ok;
            } catch (e) {
                c.close();
                throw e;
            }
        }
        return c;
    }

    /** Sends one command and resolves with its reply (error replies are values). */
    call(args: (string | number)[], timeoutMs = 2000): Promise<Reply> {
        if (this.closed) return Promise.reject(this.closed);
        if (this.waiting) return Promise.reject(new Error("one command at a time"));
        const parts = args.map(String);
        const wire =
            `*${parts.length}\r\n` +
            parts.map((p) => `$${Buffer.byteLength(p)}\r\n${p}\r\n`).join("");
        return new Promise<Reply>((resolve, reject) => {
            const timer = setTimeout(() => {
                this.waiting = undefined;
                this.closed = new Error(`${parts[0]} timed out after ${timeoutMs} ms`);
                this.socket.destroy();
                reject(this.closed);
            }, timeoutMs);
            this.waiting = {
                resolve: (r) => {
                    clearTimeout(timer);
                    resolve(r);
                },
                reject: (e) => {
                    clearTimeout(timer);
                    reject(e);
                },
            };
            this.socket.write(wire);
        });
    }

    private drain(): void {
        if (!this.waiting || this.buffer.length === 0) return;
        const parsed = parse(this.buffer, 0);
        if (!parsed) return;
        this.buffer = this.buffer.subarray(parsed.end);
        const w = this.waiting;
        this.waiting = undefined;
        w.resolve(parsed.value);
    }

    close(): void {
        this.closed ??= new Error("closed");
        this.socket.destroy();
    }
}

/** Opens a connection, runs one command, closes it. Errors (replies or transport) are thrown. */
export async function once(
    host: string,
    port: number,
    password: string | undefined,
    args: (string | number)[],
    timeoutMs = 2000,
): Promise<Reply> {
    const c = await Connection.open(host, port, password, timeoutMs);
    try {
        const r = await c.call(args, timeoutMs);
        if (r instanceof RedisError) throw r;
        return r;
    } finally {
        c.close();
    }
}

/** `INFO <section>` as a map of its `key:value` lines. */
export async function info(
    host: string,
    port: number,
    password: string | undefined,
    section: string,
): Promise<Record<string, string>> {
    const text = String(await once(host, port, password, ["INFO", section]));
    return Object.fromEntries(
        text
            .split("\r\n")
            .filter((l) => l.includes(":") && !l.startsWith("#"))
            .map((l) => [l.slice(0, l.indexOf(":")), l.slice(l.indexOf(":") + 1)]),
    );
}
