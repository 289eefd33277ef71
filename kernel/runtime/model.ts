import { SeedError } from './errors';
import type { SeedModelManifest } from './manifest';
import type {
  DecodeOptions,
  EncodeOptions,
  Encoding,
  ExecutionProviderChoice,
  ImageInput,
  LoadOptions,
  Reconstruction
} from './types';

/**
 * A loaded SEED model folder. ONNX sessions are created on first use and cached per file, so encoding
 * never loads the UNet; release() frees them (the next call loads them again).
 */
export class SeedModel {
  private constructor(
    /** The model folder (absolute). */
    readonly dir: string,
    /** The validated manifest. */
    readonly manifest: SeedModelManifest,
    /** Which execution provider runs the graphs and why. */
    readonly executionProvider: ExecutionProviderChoice
  ) {}

  /**
   * Reads and validates `<dir>/seed-model.json`, checks that every file it names exists, and picks the
   * execution provider. Throws SeedModelError naming the field or file and what to do.
   */
  static async load(dir: string, options: LoadOptions = {}): Promise<SeedModel> {
    void dir;
    void options;
    throw new SeedError('The SEED runtime is being built (issue 3); SeedModel.load is not available yet.');
  }

  /** Encodes images (run as one batch) to codes, pre-quantisation vectors and top-k alternatives. */
  async encode(images: ImageInput[], options: EncodeOptions = {}): Promise<Encoding[]> {
    void images;
    void options;
    throw new SeedError('The SEED runtime is being built (issue 3); encode is not available yet.');
  }

  /** Codes -> generation embedding -> diffusion -> VAE -> PNG. */
  async decode(codes: number[], options: DecodeOptions = {}): Promise<Reconstruction> {
    void codes;
    void options;
    throw new SeedError('The SEED runtime is being built (issue 3); decode is not available yet.');
  }

  /** encode() then decode() of one image. */
  async reconstruct(
    image: ImageInput,
    options: DecodeOptions & { topK?: number } = {}
  ): Promise<{ encoding: Encoding; reconstruction: Reconstruction }> {
    const [encoding] = await this.encode([image], { topK: options.topK, signal: options.signal });
    const reconstruction = await this.decode(encoding.codes, options);
    return { encoding, reconstruction };
  }

  /** Releases every ONNX session; the model stays usable and reloads sessions on demand. */
  async release(): Promise<void> {}
}
