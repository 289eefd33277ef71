import type { KernelInfoView } from '../model/payload-adapter';

/** What the sidebar knows about the kernel of the active notebook. */
export type PanelKernelState =
  | { kind: 'no-notebook' }
  | { kind: 'no-kernel' }
  | { kind: 'other-kernel'; displayName: string }
  | { kind: 'seed'; status: string };

/** The kernel's own report (model, execution provider, memory), or why there is none. */
export type PanelKernelInfo =
  | { kind: 'none' }
  | { kind: 'loading' }
  | { kind: 'loaded'; info: KernelInfoView }
  | { kind: 'failed'; message: string };

/** One encoding of the active notebook, as the gallery shows it. */
export interface GalleryItem {
  id: string;
  label: string;
  kind: 'encoding' | 'reconstruction' | 'recon';
  thumbnail: string | null;
}
