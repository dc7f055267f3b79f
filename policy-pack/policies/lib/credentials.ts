/**
 * Names that carry a credential: PASSWORD, TOKEN, SECRET, API_KEY, PRIVATE_KEY, ... The stack
 * schema and `npm run import-live` use the same list (`CREDENTIAL_ENV_NAME` in stacks/ranges.ts,
 * held equal by test/guardrails.test.ts).
 */
export const credentialName =
    /(PASSW(OR)?D|PASSPHRASE|PWD$|TOKEN|SECRET|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIAL|AUTH_?KEY|DSN$|CONNECTION_?STRING)/i;
