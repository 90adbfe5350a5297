/**
 * Spec text is data: a key or value may hold terminal control characters (ESC starts ANSI
 * sequences that recolour, move the cursor or clear the screen; BEL rings). Echoed raw into a
 * message or a code frame, they would act on the user's terminal. Shown as escapes instead.
 */

/** C0 controls other than tab and newline, DEL, and the C1 controls (U+0080-U+009F, e.g. CSI). */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

const escapeOne = (c: string): string => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;

/** Control characters as `\x1b`-style escapes; tab and newline stay (callers decide about those). */
export function escapeControls(s: string): string {
  return s.replace(CONTROL, escapeOne);
}
