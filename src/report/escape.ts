/** Control characters from user-supplied names, made visible wherever they are written (terminal, Markdown, XML). */
export { controlEscape, escapeControls } from '../units/escape.js';
