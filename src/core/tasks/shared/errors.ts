/** Thrown for inputs a postprocessor cannot interpret (shape mismatches, bad options). */
export class PostprocessError extends Error {
  override readonly name = 'PostprocessError';
}
