import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { History, SESSION_NUMBER } from './history';

function filled(): History {
  const history = new History();
  ['1 + 1', 'let a = 2;', '1 + 1', 'a * 3'].forEach((input, i) => history.add(i + 1, input));
  history.setOutput(1, '2');
  return history;
}

describe('kernel history', () => {
  it('answers tail requests, with outputs when asked', () => {
    const history = filled();
    assert.deepEqual(history.query({ hist_access_type: 'tail', n: 2 }), [
      [SESSION_NUMBER, 3, '1 + 1'],
      [SESSION_NUMBER, 4, 'a * 3']
    ]);
    assert.deepEqual(history.query({ hist_access_type: 'tail', n: 4, output: true })[0], [
      SESSION_NUMBER,
      1,
      ['1 + 1', '2']
    ]);
  });

  it('answers range requests for this session only', () => {
    const history = filled();
    assert.deepEqual(
      history.query({ hist_access_type: 'range', session: SESSION_NUMBER, start: 2, stop: 4 }).map((entry) => entry[1]),
      [2, 3]
    );
    assert.deepEqual(history.query({ hist_access_type: 'range', session: 0 }).length, 4);
    assert.deepEqual(history.query({ hist_access_type: 'range', session: SESSION_NUMBER + 1 }), []);
  });

  it('searches with glob patterns, unique and n', () => {
    const history = filled();
    assert.equal(history.query({ hist_access_type: 'search', pattern: '1 + 1' }).length, 2);
    assert.equal(history.query({ hist_access_type: 'search', pattern: '1 + 1', unique: true }).length, 1);
    assert.deepEqual(
      history.query({ hist_access_type: 'search', pattern: '*a*' }).map((entry) => entry[2]),
      ['let a = 2;', 'a * 3']
    );
    assert.equal(history.query({ hist_access_type: 'search', pattern: '*', n: 1 })[0][1], 4);
  });
});
