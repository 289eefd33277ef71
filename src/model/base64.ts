/**
 * Bytes to base64 in the browser, for the two places bytes become text: images the kernel sends as
 * binary buffers (kept as data: URLs in the notebook) and files dropped from the desktop (uploaded
 * through the contents API). Hand-written because the browser has only btoa, which takes a binary string;
 * building it in chunks keeps large images within the argument limits of String.fromCharCode.
 */
export function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let offset = 0; offset < bytes.length; offset += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(offset, offset + 0x8000));
  }
  return btoa(binary);
}
