/**
 * The view models the SEED components render. They are plain data, independent of the kernel's wire
 * format: payload-adapter.ts is the one place that turns the MIME payload into these.
 */
import type { DecodeParams, FamilyName, SamplerName, SeedCodeCandidate, SeedResultParams } from '../../kernel/protocol';
import type { CodeEdit } from './code-history';

export type { DecodeParams, SamplerName };

/** What a decode ran: its parameters, and when the steps that ran differ from those asked, how and why. */
export type ResultParams = SeedResultParams;

/** One codebook entry near an image's vector at one position (distance in the model's metric). */
export type CodeCandidate = SeedCodeCandidate;

/** An image ready for an <img>: a data: URL and its pixel size. */
export interface ImageView {
  src: string;
  width: number;
  height: number;
}

/** Which model made the codes; codes of one model mean nothing to another. */
export interface ModelRef {
  id: string;
  sha256: string;
  /** The model family (SEED v1 when an older payload does not say). */
  family: FamilyName;
  codebookSize: number;
  /** The model's own sampler defaults, when the kernel sent them. */
  defaults?: DecodeParams;
}

/** How a set of codes came to be: the codes edited, the edits, and (for a decode) the settings. */
export interface Lineage {
  /** The codes the edits started from (the encoding's own codes). */
  fromCodes: number[];
  /** Label of the encoding the codes came from (file name or variable). */
  from: string;
  edits: CodeEdit[];
  codes: number[];
  params?: ResultParams;
  model: ModelRef;
}

/** A SEED output: an encoding (codes of a source image), a reconstruction, or both. */
export interface SeedResultView {
  /** What the result is, as the kernel produced it. */
  kind: 'encoding' | 'reconstruction' | 'recon';
  /** A short human label: the image's file name, or the variable the result was bound to. */
  label: string;
  model: ModelRef;
  /** The codes, in causal order. */
  codes: number[];
  /** For each position the nearest codebook entries, nearest first; empty when the payload has none. */
  topK: CodeCandidate[][];
  /** The image as the encoder saw it. */
  source?: ImageView;
  /** The decoded image. */
  image?: ImageView;
  /** The sampler settings of the decoded image. */
  params?: ResultParams;
  /** How the codes were produced, when they came from edits. */
  lineage?: Lineage;
}

/** A decode finished from an output, with the lineage that produced it. */
export interface DecodedView {
  image: ImageView;
  lineage: Lineage;
}

/** What the output knows about the kernel it could decode with. */
export type LiveState =
  | { kind: 'offline'; reason: string }
  | { kind: 'ready' }
  | { kind: 'busy' }
  | { kind: 'restarting' }
  | { kind: 'dead'; reason: string };

/** The state of one decode request, as the output shows it. */
export type DecodeState =
  | { kind: 'idle' }
  | { kind: 'queued'; ahead: number }
  | { kind: 'running'; step: number; total: number; preview?: ImageView }
  | { kind: 'cancelling' }
  | { kind: 'cancelled' }
  | { kind: 'failed'; message: string };
