/**
 * secretlint's recommended preset (a maintained rule set of token shapes: cloud keys, GitHub,
 * Slack, npm, OpenAI, Anthropic, private keys, connection strings...), run on one string at a time
 * without secretlint's file-walking engine. Its rules only read `source.content` and report
 * ranges, so a handler made once per rule is reused for every value.
 *
 * 11.7.1 is the last release that runs on Node 20 (12 needs Node 22). Its messages quote the
 * secret: only the rule id and the range are kept.
 */
import type { SecretLintRuleContext, SecretLintSourceCode } from "@secretlint/types";

export interface Span {
    /** What was found, for a person: never the value. */
    readonly kind: string;
    readonly start: number;
    readonly end: number;
}

/** Rules that scan; the comment filter is left out: a value must not switch the check off. */
const SKIPPED = new Set(["@secretlint/secretlint-rule-filter-comments"]);

type Handler = { id: string; file?: (source: SecretLintSourceCode) => unknown };

let handlers: Handler[] | undefined;
let sink: Span[] = [];

function load(): Handler[] {
    // Loaded on first use: the preset is 1 MB of rules, and most of the pack's runs need none.
    const preset = require("@secretlint/secretlint-rule-preset-recommend") as {
        rules: {
            meta: { id: string; type: string };
            create: (c: SecretLintRuleContext, o: object) => Handler;
        }[];
    };
    return preset.rules
        .filter((r) => r.meta.type === "scanner" && !SKIPPED.has(r.meta.id))
        .map((r) => {
            const kind = `${r.meta.id.replace(/^@secretlint\/secretlint-rule-/, "")} token (secretlint)`;
            const context = {
                sharedOptions: {},
                createTranslator: () => (messageId: string) => ({
                    message: messageId,
                    messageId,
                    data: undefined,
                }),
                report: (d: { range: readonly [number, number] }) =>
                    sink.push({ kind, start: d.range[0], end: d.range[1] }),
                ignore: () => undefined,
            } as unknown as SecretLintRuleContext;
            return { ...r.create(context, {}), id: r.meta.id };
        });
}

/** The spans of `text` that a rule of the preset reports. */
export function secretlintSpans(text: string): Span[] {
    handlers ??= load();
    const found: Span[] = [];
    sink = found;
    const source = {
        hasBOM: false,
        content: text,
        filePath: undefined,
        physicalFilePath: undefined,
        contentType: "text",
        ext: "",
        getFilePath: () => undefined,
        getPhysicalFilePath: () => undefined,
    } as unknown as SecretLintSourceCode;
    try {
        for (const h of handlers) {
            const r = h.file?.(source);
            // Every rule of 11.7.1 is synchronous; one that is not would report too late to count.
            if (r instanceof Promise) throw new Error(`secretlint rule ${h.id} is asynchronous`);
        }
    } finally {
        sink = [];
    }
    return found;
}
