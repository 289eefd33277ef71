/**
 * What a user does, for the unit tests in Chromium: real mouse moves, clicks, drags and key presses sent
 * through the browser (@web/test-runner-commands asks Playwright), not synthetic DOM events, so focus,
 * hover and HTML drag and drop behave as they do for a person.
 */
import { resetMouse, sendKeys, sendMouse } from '@web/test-runner-commands';

function centre(element: Element): [number, number] {
  element.scrollIntoView({ block: 'center', inline: 'center' });
  return centreOnScreen(element);
}

function centreOnScreen(element: Element): [number, number] {
  const box = element.getBoundingClientRect();
  if (box.bottom > innerHeight || box.top < 0) {
    throw new Error(
      `${element.localName} is off screen (${box.top}..${box.bottom} of ${innerHeight}): enlarge the viewport.`
    );
  }
  return [Math.round(box.x + box.width / 2), Math.round(box.y + box.height / 2)];
}

export async function hover(element: Element): Promise<void> {
  await sendMouse({ type: 'move', position: centre(element) });
}

export async function click(element: Element): Promise<void> {
  await sendMouse({ type: 'click', position: centre(element) });
}

/**
 * Presses the mouse on `from`, moves it to `to` in steps (as a hand does) and releases it there. Both must be
 * on screen together: nothing scrolls during the drag.
 */
export async function drag(from: Element, to: Element): Promise<void> {
  to.scrollIntoView({ block: 'nearest' });
  from.scrollIntoView({ block: 'nearest' });
  const start = centreOnScreen(from);
  const end = centreOnScreen(to);
  await sendMouse({ type: 'move', position: start });
  await sendMouse({ type: 'down' });
  for (const fraction of [0.25, 0.5, 0.75, 1]) {
    const position: [number, number] = [
      Math.round(start[0] + (end[0] - start[0]) * fraction),
      Math.round(start[1] + (end[1] - start[1]) * fraction)
    ];
    await sendMouse({ type: 'move', position });
  }
  await sendMouse({ type: 'up' });
}

/** Presses one key or a combination (`'Control+z'`), with the focus where it is. */
export async function press(key: string): Promise<void> {
  await sendKeys({ press: key });
}

/** Types text into the focused field, key by key. */
export async function type(text: string): Promise<void> {
  await sendKeys({ type: text });
}

/** Moves the mouse away and releases its buttons, so one test's hover does not leak into the next. */
export async function resetUser(): Promise<void> {
  await resetMouse();
}
