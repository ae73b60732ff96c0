import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { resourceDocuments } from '../src/interop/kube/resources.js';

/** What each document of a Kubernetes file comes back as: its value, or the message that refuses or warns it. */
const readKube = (text: string, file = 'f.yaml') =>
  resourceDocuments({ file, text }).documents.map((d) => ('problem' in d ? d.problem : 'unsent' in d ? d.unsent : d.value));
const configMap = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n`;
const cm = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name } });

/**
 * A CR without a line feed after it. kubectl's LineReader (kubernetes/apimachinery at eed236ce pkg/util/yaml/decoder.go)
 * takes lines with bufio.Reader.ReadLine, which ends a line at LF only (dropping a CR just before it), so `---\r\r\n`
 * is the line `---\r`, and YAMLReader.Read takes it for a separator: what follows `---` is strings.TrimSpace'd, and a
 * CR is a space to it. go-yaml (sigs.k8s.io/yaml's goyaml.v2, as gopkg.in/yaml.v3 yamlprivateh.go is_break) reads a
 * lone CR as a line break anywhere; the yaml package reads it as a character.
 */
describe('a lone CR in a Kubernetes file', () => {
  it('after a --- separator kubectl takes: the document after it is read, and nothing is warned', () => {
    expect(readKube(`${configMap('a')}---\r\r\n${configMap('b')}`)).toEqual([cm('a'), cm('b')]);
    // Before: 'f.yaml:5:4: ConfigMap "b" (in document 1, after its end marker ...) is not applied ...'
    expect(readKube(`${configMap('a')}--- # next\r\n${configMap('b')}`)).toEqual([cm('a'), cm('b')]);
    // A file ending in `---\r` (an old Mac line end): before, 'a document (in document 1, after its end marker ...)'.
    expect(readKube(`${configMap('a')}---\r`)).toEqual([cm('a'), null]);
    // The separator kubectl drops (it ends a document) is dropped with its comment, breaks and all.
    expect(readKube(`${configMap('a')}--- # c\rkind: Secret\n${configMap('b')}`)).toEqual([cm('a'), cm('b')]);
  });

  it('followed by content on the separator\'s line: kubectl refuses the separator (TrimSpace leaves "apiVersion: v1"), as before', () => {
    expect(readKube(`${configMap('a')}---\r${configMap('b')}`)[0]).toContain('invalid Yaml document separator: apiVersion: v1');
  });

  it('elsewhere: a line break to Go, which the yaml package would read as a character, refused at its place (was read into the value)', () => {
    // Before: the name read as "a\r", the value "x\ry".
    expect(readKube('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\r')).toEqual([expect.stringMatching(/^f\.yaml:4:10: invalid YAML: a CR \(U\+000D\) without a line feed after it outside a quoted string: a line break to Go's yaml/)]);
    // In a quoted string Go folds at it as at any break (yaml.v3 scannerc.go yaml_parser_scan_flow_scalar).
    expect(readKube(`${configMap('a')}data:\n  k: "x\ry"\n`)).toEqual([{ ...cm('a'), data: { k: 'x y' } }]);
    // In a separator kubectl keeps (the first line of its piece), a comment's CR is a break to go-yaml: refused.
    expect(readKube(`--- # c\rkind: Secret\n${configMap('b')}`)).toEqual([expect.stringMatching(/^f\.yaml:1:8: invalid YAML: a CR/)]);
  });

  it('a file of CRLF lines is read as before', () => {
    expect(readKube(`${configMap('a')}---\n${configMap('b')}`.replace(/\n/g, '\r\n'))).toEqual([cm('a'), cm('b')]);
  });
});
