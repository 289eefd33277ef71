/**
 * The last stage of a decode: UNet-space latents to PNG images through the VAE decoder, and the cheap
 * per-step previews (the manifest's linear latent-to-RGB map when it has one, else the VAE itself).
 */
import { linearPreview } from './diffusion';
import { SeedModelError } from './errors';
import { assertFinite } from './finite';
import { runBatched } from './graph-batches';
import { fromSignedChw, toPng } from './images';
import type { SeedModelManifest } from './manifest';
import type { Graph } from './sessions';
import type { PngImage } from './types';

type Diffusion = SeedModelManifest['diffusion'];

/** Fixed dimensions the UNet declares for `sample` must agree with the manifest's latentShape. */
export function checkLatentShape(unet: Graph, latentShape: [number, number, number]): void {
  const declared = unet.inputShape('sample').slice(1);
  const clash = declared.some((dim, i) => typeof dim === 'number' && dim !== latentShape[i]);
  if (clash) {
    throw new SeedModelError(
      `${unet.file.path} takes samples of shape [${unet.inputShape('sample').join(', ')}], but the manifest's ` +
        `diffusion.latentShape is [${latentShape.join(', ')}]. Fix latentShape (and outputSize) in seed-model.json.`
    );
  }
}

/** Latents (UNet space, `count` of them) -> images through the VAE decoder. */
export async function latentsToImages(
  diffusion: Diffusion,
  vae: Graph,
  latent: Float32Array,
  count: number
): Promise<PngImage[]> {
  const { latentShape, vaeScale, outputSize } = diffusion;
  const [width, height] = outputSize;
  const plane = 3 * width * height;
  const samples = await runBatched(vae, {
    input: 'latent_sample',
    output: 'sample',
    data: latent.map((v) => v / vaeScale),
    itemDims: latentShape,
    count,
    outputPerItem: plane,
    expectedShape: `[N, 3, ${height}, ${width}] (diffusion.outputSize in the manifest)`
  });
  assertFinite(
    samples,
    (bad, all) =>
      `The VAE decoder turned a finite latent into ${bad} NaN or infinite pixel values of ${all}, so no image ` +
      'was made. Try a lower guidance scale (an extreme latent can overflow the decoder); if every setting ' +
      `fails, the VAE graph (${vae.file.path}) is faulty, e.g. an fp16 export that overflows: try its fp32 export.`
  );
  return Promise.all(
    Array.from({ length: count }, (_, i) =>
      toPng(fromSignedChw(samples.subarray(i * plane, (i + 1) * plane), width, height))
    )
  );
}

/** One image's predicted clean latent as a preview: the linear map at latent size if any, else the VAE. */
export async function previewImage(diffusion: Diffusion, vae: Graph, x0: Float32Array): Promise<PngImage> {
  const { preview, latentShape } = diffusion;
  if (preview) {
    const rgb = linearPreview(preview, x0, latentShape);
    return toPng(fromSignedChw(rgb, latentShape[2], latentShape[1]), true);
  }
  const [image] = await latentsToImages(diffusion, vae, x0, 1);
  return image;
}
