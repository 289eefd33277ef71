import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { childMessage, decodeMessage, encodeMessage, MalformedMessageError, newHeader, SignatureError } from './wire';

const KEY = 'a0436f6c-1916-498b-8eb9-e81ab9368e84';

function request(msgType = 'execute_request') {
  return {
    identities: [Buffer.from('client-identity')],
    header: newHeader(msgType, 'session-1', 'tester'),
    parent_header: {} as Record<string, never>,
    metadata: {},
    content: { code: '1 + 1', silent: false },
    buffers: [Buffer.from([1, 2, 3])]
  };
}

describe('Jupyter wire format', () => {
  it('round-trips a message with identities and buffers', () => {
    const message = request();
    const decoded = decodeMessage(encodeMessage(message, KEY), KEY);
    assert.deepEqual(decoded.identities, message.identities);
    assert.deepEqual(decoded.header, message.header);
    assert.deepEqual(decoded.content, message.content);
    assert.deepEqual(decoded.buffers, message.buffers);
  });

  it('signs the four JSON parts with HMAC-SHA256, as jupyter_client does', () => {
    const frames = encodeMessage(request(), KEY);
    const delimiter = frames.findIndex((frame) => frame.toString() === '<IDS|MSG>');
    const expected = createHmac('sha256', KEY);
    frames.slice(delimiter + 2, delimiter + 6).forEach((part) => expected.update(part));
    assert.equal(frames[delimiter + 1].toString(), expected.digest('hex'));
  });

  it('rejects a tampered message and a wrong key', () => {
    const frames = encodeMessage(request(), KEY);
    const delimiter = frames.findIndex((frame) => frame.toString() === '<IDS|MSG>');
    const tampered = [...frames];
    tampered[delimiter + 5] = Buffer.from(JSON.stringify({ code: 'process.exit()' }));
    assert.throws(() => decodeMessage(tampered, KEY), SignatureError);
    assert.throws(() => decodeMessage(frames, 'another-key'), SignatureError);
  });

  it('accepts unsigned messages only when the key is empty', () => {
    const frames = encodeMessage(request(), '');
    const delimiter = frames.findIndex((frame) => frame.toString() === '<IDS|MSG>');
    assert.equal(frames[delimiter + 1].toString(), '');
    assert.equal(decodeMessage(frames, '').header.msg_type, 'execute_request');
    assert.throws(() => decodeMessage(frames, KEY), SignatureError);
  });

  it('reports frames that are not a message', () => {
    assert.throws(() => decodeMessage([Buffer.from('x')], KEY), MalformedMessageError);
    const frames = encodeMessage(request(), '');
    assert.throws(() => decodeMessage(frames.slice(0, 4), ''), MalformedMessageError);
    const broken = [...frames];
    broken[broken.length - 2] = Buffer.from('not json');
    assert.throws(() => decodeMessage(broken, ''), MalformedMessageError);
  });

  it('parents replies to the request and routes them to its sender', () => {
    const parent = request();
    const reply = childMessage(parent, 'execute_reply', { status: 'ok' }, 'kernel-session');
    assert.equal(reply.parent_header, parent.header);
    assert.deepEqual(reply.identities, parent.identities);
    assert.equal(reply.header.version, '5.5');
    assert.equal(reply.header.session, 'kernel-session');
    assert.notEqual(reply.header.msg_id, parent.header.msg_id);
    const broadcast = childMessage(parent, 'status', { execution_state: 'idle' }, 'kernel-session', false);
    assert.deepEqual(broadcast.identities, []);
  });
});
