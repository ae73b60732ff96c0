/** Control characters from user-supplied names, made visible wherever they are written (terminal, Markdown, XML). */
export { controlEscape, escapeControls, inline } from '../units/escape.js';
