/**
 * Codes as the strings LLMs read and write (the SEED-LLaMA convention): `<img>`, then one `<img_NNNNN>`
 * per code (five digits, zero-padded), then `</img>`. Both directions live here: the dataset tokenizer
 * and the "Copy LLM tokens" button write this form, and every place that accepts codes (the CLI's
 * `decode`, `%seed decode`, `seed.decode`, pasting into the inspector) reads it through `parseCodesText`.
 */

export const IMAGE_START = '<img>';
export const IMAGE_END = '</img>';
const DIGITS = 5;

export function codeToken(code: number): string {
  return `<img_${String(code).padStart(DIGITS, '0')}>`;
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

/** Whether text holds image tokens (so that it should be read as the LLM form, not as numbers). */
export function looksLikeLlmTokens(text: string): boolean {
  return /<\/?img[>_]/.test(text);
}

/**
 * The codes of the first image in an LLM's text: the `<img_NNNNN>` tokens between `<img>` and `</img>`,
 * with any text around the image ignored (an answer usually has words before and after it). Without
 * `<img>`…`</img>`, the `<img_NNNNN>` tokens anywhere in the text are taken. Throws an Error naming the
 * first malformed token, or saying that an image is unterminated or empty, and what a valid one looks like.
 */
export function parseLlmTokens(text: string): number[] {
  const start = text.indexOf(IMAGE_START);
  let body = text;
  if (start >= 0) {
    const end = text.indexOf(IMAGE_END, start);
    if (end < 0) {
      throw new Error(
        `The image starting at character ${start + 1} has no ${IMAGE_END}: an LLM's answer may have been cut off. ` +
          `Codes look like ${IMAGE_START}<img_00042><img_01234>…${IMAGE_END}.`
      );
    }
    body = text.slice(start + IMAGE_START.length, end);
  }
  const codes: number[] = [];
  const tokenPattern = /<img_(\d+)>/y;
  let i = 0;
  while (i < body.length) {
    tokenPattern.lastIndex = i;
    const match = tokenPattern.exec(body);
    if (match) {
      if (match[1].length !== DIGITS) {
        throw new Error(
          `${match[0]} is not an image token: tokens have ${DIGITS} digits, such as ${codeToken(Number(match[1]))}.`
        );
      }
      codes.push(Number(match[1]));
      i = tokenPattern.lastIndex;
      continue;
    }
    const next = body.indexOf('<img_', i);
    const stray = body.slice(i, next < 0 ? body.length : next);
    if (start >= 0 && stray.trim() !== '') {
      // Inside <img>…</img> nothing but tokens (and white space) belongs.
      throw new Error(`"${stray.trim().slice(0, 20)}" inside ${IMAGE_START}…${IMAGE_END} is not an image token.`);
    }
    if (next < 0) {
      break;
    }
    if (next === i) {
      const broken = body.slice(i, body.indexOf('>', i) + 1 || i + 12);
      throw new Error(`"${broken}" is not an image token: tokens look like <img_00042>.`);
    }
    i = next;
  }
  if (codes.length === 0) {
    throw new Error(`No image tokens found: codes look like ${IMAGE_START}<img_00042><img_01234>…${IMAGE_END}.`);
  }
  return codes;
}

/**
 * Codes from text as a user pastes or types them: the LLM form (above), a JSON array, an object with a
 * `codes` array (or a one-element array of one, as `encode --json` prints), or whole numbers separated by
 * commas or spaces. `source` names where the text came from in error messages.
 */
export function parseCodesText(text: string, source: string): number[] {
  const trimmed = text.trim();
  if (looksLikeLlmTokens(trimmed)) {
    try {
      return parseLlmTokens(trimmed);
    } catch (error) {
      throw new Error(`${source}: ${(error as Error).message}`);
    }
  }
  if (trimmed.startsWith('[') || trimmed.startsWith('{')) {
    let data: unknown;
    try {
      data = JSON.parse(trimmed);
    } catch (error) {
      throw new Error(`${source} is not valid JSON: ${(error as Error).message}`);
    }
    if (Array.isArray(data) && data.length === 1 && typeof data[0] === 'object') {
      data = data[0];
    }
    if (data && typeof data === 'object' && !Array.isArray(data) && 'codes' in data) {
      data = (data as { codes: unknown }).codes;
    }
    if (!Array.isArray(data) || !data.every((v) => typeof v === 'number')) {
      throw new Error(`${source} must hold a JSON array of codes, or an object with a "codes" array.`);
    }
    return data as number[];
  }
  const parts = trimmed.split(/[\s,]+/).filter(Boolean);
  if (parts.length === 0) {
    throw new Error(`No codes in ${source}.`);
  }
  return parts.map((part) => {
    if (!/^\d+$/.test(part)) {
      throw new Error(
        `'${part.slice(0, 20)}' in ${source} is not a code; codes are whole numbers such as 17, or tokens such as <img_00017>.`
      );
    }
    return Number(part);
  });
}
