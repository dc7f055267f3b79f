// Reads a `pulumi preview`'s output (the engine's text, with or without --diff, or `--json`) into
// the resources it touches, its policy results and its errors, for preview-summary.ts.
export interface Resource {
    type: string;
    name: string;
    op: string;
}
export interface Policy {
    level: string;
    text: string;
}
/** What a preview's output says; `policies` is undefined when the output cannot say. */
export interface Parsed {
    resources: Resource[];
    policies: Policy[] | undefined;
    errors: string[];
    completed: boolean;
}

/** The engine's step names, reduced to what a reviewer counts. */
export function normaliseOp(op: string): string {
    if (/replace|replacement/.test(op)) return "replace";
    if (op === "discard") return "delete";
    return op;
}

// `+ kubernetes:core/v1:Namespace: (create)` (--diff), URN on a following `[urn=...]` line; a
// resource kept in the cluster on delete shows `(delete[retain])` (pulumi/pkg/backend/display).
const DIFF_HEADER =
    /^\s*(?:\+-|-\+|[+\-~=<>])?\s*([A-Za-z0-9_.-]+:[A-Za-z0-9_./-]*:[A-Za-z0-9_./-]+): \(([a-z-]+)(?:\[retain\])?\)/;
// `+   ├─ kubernetes:core/v1:Namespace  sapoche-namespace  create` (tree display).
const TREE_LINE =
    /^\s*(?:\+-|-\+|[+\-~=<>])?\s*[│├└─ ]*([A-Za-z0-9_.-]+:[A-Za-z0-9_./-]*:[A-Za-z0-9_./-]+)\s+(\S+)\s+(create|update|delete|replace|create-replacement|delete-replaced|import|read|discard)\b/;
const URN_LINE = /^\s*\[urn=(urn:pulumi:[^\]]+)\]/;
const POLICY_LINE = /\[(mandatory|advisory|remediate)\]\s+(.*)$/;

function nameFromUrn(urn: string): string {
    return urn.split("::").pop() ?? urn;
}

/** Parses the engine's text output. */
function parseText(text: string): Parsed {
    const resources: Resource[] = [];
    const policies: Policy[] = [];
    const errors: { indent: number; lines: string[] }[] = [];
    let errorBlock: { indent: number; lines: string[] } | null = null; // the multi-line error being read
    let completed = false; // the engine printed its closing "Resources:" summary
    let pending: { type: string; op: string } | null = null; // a --diff header waiting for its [urn=...] line
    for (const line of text.split(/\r?\n/)) {
        const urn = URN_LINE.exec(line);
        if (urn && pending) {
            resources.push({ ...pending, name: nameFromUrn(urn[1]) });
            pending = null;
            continue;
        }
        const header = DIFF_HEADER.exec(line);
        if (header) {
            pending = { type: header[1], op: normaliseOp(header[2]) };
            continue;
        }
        const tree = TREE_LINE.exec(line);
        if (tree) {
            resources.push({ type: tree[1], name: tree[2], op: normaliseOp(tree[3]) });
            continue;
        }
        const policy = POLICY_LINE.exec(line);
        // An exempted violation (`· [exempted] [mandatory] ...`) does not fail the preview.
        if (policy && !line.includes("[exempted]")) {
            policies.push({ level: policy[1], text: policy[2].trim().replace(/\s{2,}/g, "  ") });
            continue;
        }
        const error = /^(\s*)error:/.exec(line);
        if (error) {
            errorBlock = { indent: error[1].length, lines: [line.trim()] };
            errors.push(errorBlock);
            continue;
        }
        // A multi-line error (a config report, a refused promotion) goes on in lines indented at
        // least as deep as its `error:` line, up to a blank line.
        if (errorBlock && continues(line, errorBlock.indent)) {
            errorBlock.lines.push(line.slice(errorBlock.indent).trimEnd());
            continue;
        }
        errorBlock = null;
        if (/^Resources:\s*$/.test(line)) completed = true;
    }
    return {
        resources: dedupe(resources),
        policies,
        errors: errors.map((e) => e.lines.join("\n")),
        completed,
    };
}

/**
 * Whether a line goes on with an error begun at `indent`: deeper lines always; lines at the same
 * depth inside the Diagnostics section (the engine indents every line of a message alike), but
 * not the next diagnostic or a section header.
 */
function continues(line: string, indent: number): boolean {
    if (line.trim() === "" || /^[A-Z][A-Za-z ]*:\s*$/.test(line)) return false;
    const depth = /^\s*/.exec(line)![0].length;
    if (depth > indent) return true;
    return depth === indent && indent > 0 && !/^\s*(error|warning|info):/.test(line);
}

/** Parses `pulumi preview --json`. */
function parseJson(doc: any): Parsed {
    const resources: Resource[] = (doc.steps ?? []).map((s: any) => ({
        type: s.newState?.type ?? s.oldState?.type ?? s.urn.split("::")[2].split("$").pop(),
        name: nameFromUrn(s.urn),
        op: normaliseOp(s.op),
    }));
    // The engine leaves policy events out of its JSON (pkg/backend/display/json.go, CLI 3.274):
    // say so rather than report "0 violations".
    const policies = undefined;
    const errors = (doc.diagnostics ?? [])
        .filter((d: any) => d.severity === "error")
        .map((d: any) => `error: ${String(d.message).trim()}`);
    return {
        resources: dedupe(resources),
        policies,
        errors,
        completed: doc.changeSummary !== undefined,
    };
}

/** One entry per resource: the engine can print a replaced resource's steps more than once. */
function dedupe(resources: Resource[]): Resource[] {
    const seen = new Map<string, Resource>();
    for (const r of resources) {
        const key = `${r.type}::${r.name}`;
        const before = seen.get(key);
        // A replacement shows as create-replacement + delete-replaced: keep "replace".
        if (!before || r.op === "replace") seen.set(key, r);
    }
    return [...seen.values()];
}

export function parse(text: string): Parsed {
    const trimmed = text.trimStart();
    if (trimmed.startsWith("{")) {
        try {
            return parseJson(JSON.parse(trimmed));
        } catch {
            // not JSON after all: fall through to the text parser
        }
    }
    return parseText(text);
}
