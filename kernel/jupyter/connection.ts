import * as fs from 'node:fs';

/** The connection file Jupyter writes for a kernel: where to bind and how to sign. */
export interface ConnectionInfo {
  transport: 'tcp' | 'ipc';
  ip: string;
  shell_port: number;
  iopub_port: number;
  stdin_port: number;
  control_port: number;
  hb_port: number;
  key: string;
  signature_scheme: string;
}

const PORTS = ['shell_port', 'iopub_port', 'stdin_port', 'control_port', 'hb_port'] as const;
export type Channel = 'shell' | 'iopub' | 'stdin' | 'control' | 'hb';

export function readConnectionFile(file: string): ConnectionInfo {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new Error(
      `Cannot read the Jupyter connection file ${file}: ${(error as Error).message}. ` +
        'The kernel is started by Jupyter as `node dist/jupyter/main.js <connection_file>`.'
    );
  }
  for (const port of PORTS) {
    if (typeof raw[port] !== 'number') {
      throw new Error(`The connection file ${file} has no numeric ${port}; it is not a Jupyter connection file.`);
    }
  }
  const scheme = typeof raw.signature_scheme === 'string' ? raw.signature_scheme : 'hmac-sha256';
  if (!/^hmac-(sha256|sha512|sha1|md5)$/.test(scheme)) {
    throw new Error(`Unsupported signature_scheme '${scheme}' in ${file}; use hmac-sha256.`);
  }
  return {
    transport: raw.transport === 'ipc' ? 'ipc' : 'tcp',
    ip: typeof raw.ip === 'string' ? raw.ip : '127.0.0.1',
    shell_port: raw.shell_port as number,
    iopub_port: raw.iopub_port as number,
    stdin_port: raw.stdin_port as number,
    control_port: raw.control_port as number,
    hb_port: raw.hb_port as number,
    key: typeof raw.key === 'string' ? raw.key : '',
    signature_scheme: scheme
  };
}

/** The ZeroMQ endpoint of one channel (`tcp://ip:port`, or `ipc://ip-port` as jupyter_client names them). */
export function endpoint(info: ConnectionInfo, channel: Channel): string {
  const port = info[`${channel}_port` as (typeof PORTS)[number]];
  return info.transport === 'ipc' ? `ipc://${info.ip}-${port}` : `tcp://${info.ip}:${port}`;
}
