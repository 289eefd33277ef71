/**
 * webdataset output: a tar with one `<key>.json` per sample holding the record's fields. Headers are fixed
 * (mtime 0, owner 0) so the same records give the same bytes on any machine.
 */
import * as tar from 'tar-stream';
import type { TokenRecord } from '../types';

export async function wdsTarBytes(records: TokenRecord[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = new Promise<void>((resolve, reject) => {
    pack.on('data', (chunk) => chunks.push(chunk as Buffer));
    pack.on('end', resolve);
    pack.on('error', reject);
  });
  for (const record of records) {
    const body = Buffer.from(JSON.stringify(record));
    pack.entry(
      {
        name: `${record.key}.json`,
        size: body.length,
        mode: 0o644,
        mtime: new Date(0),
        uid: 0,
        gid: 0,
        uname: '',
        gname: ''
      },
      body
    );
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}
