/** The field paths under `spec` of a CRD's stored version (see crd-fields.mjs). */
export function fieldPaths(docs: readonly unknown[], kind?: string, collapse?: readonly string[]): string[];
/** The type of each field path under `spec` (string, integer, number, boolean, object, object*, array, int-or-string, any). */
export function fieldTypes(docs: readonly unknown[], kind?: string, collapse?: readonly string[]): Record<string, string>;
/** The enum, pattern, minimum and maximum of each field path under `spec` that has any. */
export function fieldConstraints(docs: readonly unknown[], kind?: string, collapse?: readonly string[]): Record<string, { enum?: unknown[]; pattern?: string; minimum?: number; maximum?: number }>;
/** The structural schema of `spec` of a CRD's stored version: its validation keywords only (see crd-fields.mjs --schema). */
export function structuralSchema(docs: readonly unknown[], kind?: string): Record<string, unknown>;
