/**
 * An expected user error: something the user set up or typed is wrong (no model configured, a hub
 * model that is not in the cache or does not exist, a model folder missing config.json, a model of
 * another architecture, an empty question). Its message says what to fix, so it is reported as one
 * line; a stack trace would only point at our code, which did nothing wrong. Anything else that is
 * thrown is a real fault and keeps its stack in the log.
 *
 * Classes are told apart with instanceof (the bundle is minified); across the worker boundary the
 * serialized error carries `expected: true` instead (src/worker/serializeError.ts).
 */
export class UserError extends Error {}

export function isUserError(error: unknown): error is UserError {
  return error instanceof UserError;
}
