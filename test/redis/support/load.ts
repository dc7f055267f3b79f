/**
 * Sustained write load through `redis-sp`, as the platform's producers write: several clients,
 * each on one connection that it reopens after an error, retrying the same write. Each write is
 * a `SET` of a unique key; in `wait` mode it is acknowledged only once `WAIT 1` confirms a
 * replica has it. What every answer was is kept, so a test can check afterwards that every
 * acknowledged write is on the master of record, and count `READONLY` answers.
 */
import { Harness } from "./cluster";
import { PLAN } from "./loopback";
import { Connection, RedisError, once } from "./resp";

export interface LoadFigures {
    /** Writes answered `+OK`, and of those missing on the master afterwards. */
    readonly acknowledged: number;
    readonly lost: number;
    /** In `wait` mode: writes `WAIT 1` confirmed, and of those missing on the master. */
    readonly waitAcknowledged: number;
    readonly waitLost: number;
    readonly readonly: number;
    /** Longest time no writer got an acknowledgement, in ms. */
    readonly pauseMs: number;
    /** Other answers and errors, digits masked. */
    readonly errors: string[];
}

export class WriteLoad {
    private stopped = false;
    private readonly acked: string[] = [];
    private readonly waitAcked = new Set<string>();
    private readonly ackedAt: number[] = [];
    private readonly errors = new Set<string>();
    private readonlyAnswers = 0;
    /** When each `READONLY` came (ms since the epoch), to match with the processes' logs. */
    readonly readonlyAt: number[] = [];
    private readonly done: Promise<void>[] = [];

    constructor(
        private readonly h: Harness,
        private readonly tag: string,
        private readonly mode: "ok" | "wait" = "ok",
        writers = 4,
        private readonly target = PLAN.redisSp,
    ) {
        for (let w = 0; w < writers; w++) this.done.push(this.writer(w));
    }

    private async writer(w: number): Promise<void> {
        let conn: Connection | undefined;
        let k = 0;
        while (!this.stopped) {
            const key = `${this.tag}:${w}:${k}`;
            try {
                conn ??= await Connection.open(this.target, 6379, this.h.password, 1000);
                const r = await conn.call(["SET", key, String(k)], 2000);
                if (r === "OK") {
                    this.acked.push(key);
                    this.ackedAt.push(Date.now());
                    k++; // a write is never retried under the same key once answered
                    if (
                        this.mode === "wait" &&
                        Number(await conn.call(["WAIT", 1, 1000], 2000)) >= 1
                    ) {
                        this.waitAcked.add(key);
                    }
                    continue;
                }
                if (r instanceof RedisError && /^READONLY/.test(r.message)) {
                    this.readonlyAnswers++;
                    this.readonlyAt.push(Date.now());
                }
                this.errors.add(
                    String(r instanceof RedisError ? r.message : r).replace(/\d+/g, "N"),
                );
            } catch (e) {
                this.errors.add((e as Error).message.replace(/\d+/g, "N"));
            }
            conn?.close();
            conn = undefined;
            k++;
            await new Promise((r) => setTimeout(r, 10));
        }
        conn?.close();
    }

    /** When the first write after `t` (ms since the epoch) was acknowledged, if one was. */
    firstAckAfter(t: number): number | undefined {
        return this.ackedAt.find((a) => a > t);
    }

    /** How many writes were acknowledged between `from` and `to` (ms since the epoch). */
    acksBetween(from: number, to: number): number {
        return this.ackedAt.filter((a) => a >= from && a <= to).length;
    }

    /** Stops the writers without checking anything (a failed test's cleanup). */
    async halt(): Promise<void> {
        this.stopped = true;
        await Promise.all(this.done);
    }

    /** Stops the writers, then checks every acknowledged write on node `master`. */
    async stop(master: number): Promise<LoadFigures> {
        this.stopped = true;
        await Promise.all(this.done);
        let lost = 0;
        let waitLost = 0;
        for (let i = 0; i < this.acked.length; i += 1000) {
            const keys = this.acked.slice(i, i + 1000);
            const values = (await once(PLAN.node(master), 6379, this.h.password, [
                "MGET",
                ...keys,
            ])) as (string | null)[];
            keys.forEach((key, n) => {
                if (values[n] !== null) return;
                lost++;
                if (this.waitAcked.has(key)) waitLost++;
            });
        }
        const at = [...this.ackedAt].sort((a, b) => a - b);
        let pauseMs = 0;
        for (let i = 1; i < at.length; i++) pauseMs = Math.max(pauseMs, at[i] - at[i - 1]);
        return {
            acknowledged: this.acked.length,
            lost,
            waitAcknowledged: this.waitAcked.size,
            waitLost,
            readonly: this.readonlyAnswers,
            pauseMs,
            errors: [...this.errors],
        };
    }
}

export function median(xs: number[]): number {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}
