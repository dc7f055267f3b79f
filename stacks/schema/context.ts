/** What the schema knows about the stack it validates (rules that differ per stack). */
export interface SchemaContext {
    /** Stack name (`production1`); stack-specific rules are skipped when unknown. */
    readonly stack?: string;
    /** Project name (`sapoche-stack`): a promotion source must be in the same project. */
    readonly project?: string;
    /** Today, for the review-date horizon. @default now */
    readonly today?: Date;
}
