/**
 * The first action of a Helm chart's template in a file, outside comments: one that names Helm's built-in objects
 * (.Values, .Release, .Chart, .Capabilities, .Files, .Template) or its functions (include, template, toYaml,
 * nindent, tpl, required). Such a file is no resource: YAML reads `{{ .Values.x }}` as a mapping, or not at all.
 * Argo's {{args.x}} and Flagger's {{ namespace }} placeholders name none of them.
 */
export function helmSyntax(text: string): { line: number; column: number; text: string } | null {
  const action = /\{\{-?\s*(?:[^}]*\.(?:Values|Release|Chart|Capabilities|Files|Template)\b|(?:include|template|toYaml|nindent|tpl|required)\s)[^}]*\}\}/;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (/^\s*#/.test(lines[i])) continue;
    const m = action.exec(lines[i]);
    if (m) return { line: i + 1, column: m.index + 1, text: m[0] };
  }
  return null;
}
