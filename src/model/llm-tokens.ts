/**
 * Codes as the strings LLMs read and write (the SEED-LLaMA convention): `<img>`, then one `<img_NNNNN>`
 * per code (five digits, zero-padded), then `</img>`.
 */

export const IMAGE_START = '<img>';
export const IMAGE_END = '</img>';

export function codeToken(code: number): string {
  return `<img_${String(code).padStart(5, '0')}>`;
}

export function toLlmTokens(codes: readonly number[]): string {
  return `${IMAGE_START}${codes.map(codeToken).join('')}${IMAGE_END}`;
}

/**
 * Reads a code the user typed: a number (`42`) or a token (`<img_00042>`). Throws an Error saying what
 * to type when the text is neither.
 */
export function parseTypedCode(text: string): number {
  const trimmed = text.trim();
  const token = /^<img_(\d{1,5})>$/.exec(trimmed);
  const digits = token ? token[1] : /^\d+$/.test(trimmed) ? trimmed : null;
  if (digits === null) {
    throw new Error(`"${text}" is not a code: type a number such as 42, or a token such as <img_00042>.`);
  }
  return Number(digits);
}
