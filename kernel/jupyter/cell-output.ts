/**
 * Sends what cells write to process.stdout / process.stderr (console.log, console.error) to the
 * notebook as iopub stream messages. Like ipykernel, output written after a cell finished (from a
 * timer, say) still goes to the last cell that ran.
 */

export type StreamName = 'stdout' | 'stderr';
export type StreamSink = (name: StreamName, text: string) => void;

const decoder = new TextDecoder();

export function captureProcessStreams(sink: () => StreamSink | undefined): void {
  const redirect = (name: StreamName, original: typeof process.stdout.write): typeof process.stdout.write => {
    return ((chunk: string | Uint8Array, encodingOrCallback?: unknown, callback?: unknown): boolean => {
      const target = sink();
      if (!target) {
        return original(chunk, encodingOrCallback as BufferEncoding, callback as () => void);
      }
      const text = typeof chunk === 'string' ? chunk : decoder.decode(chunk);
      target(name, text);
      const done = typeof encodingOrCallback === 'function' ? encodingOrCallback : callback;
      if (typeof done === 'function') {
        process.nextTick(done as () => void);
      }
      return true;
    }) as typeof process.stdout.write;
  };
  process.stdout.write = redirect('stdout', process.stdout.write.bind(process.stdout));
  process.stderr.write = redirect('stderr', process.stderr.write.bind(process.stderr));
}
