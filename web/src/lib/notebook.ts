// A SQL notebook as the server stores it (PUT /v1/notebooks/{name}): {"cells": [{"sql"}]}.
// Parsing checks the shape the same way the server does, so a damaged or hand-edited
// notebook gives a message naming the field instead of a broken page.
export interface Notebook {
  cells: Array<{ sql: string }>;
}

// Names the server accepts: 1-128 letters, digits, '_', '-' or '.'.
export function notebookNameError(name: string): string | null {
  if (name.length === 0 || name.length > 128) return "a notebook name needs 1 to 128 characters";
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) return `notebook name "${name}" may only contain letters, digits, '_', '-' and '.'`;
  return null;
}

// The body to save for these cells' SQL (blank cells are kept: they are part of the layout).
export function serializeNotebook(cells: string[]): Notebook {
  return { cells: cells.map((sql) => ({ sql })) };
}

// The cells' SQL from a stored notebook; throws an Error naming the bad field.
export function parseNotebook(content: unknown): string[] {
  if (typeof content !== "object" || content === null || !("cells" in content)) {
    throw new Error('the notebook lacks the field "cells"');
  }
  const cells = (content as { cells: unknown }).cells;
  if (!Array.isArray(cells)) throw new Error('"cells" must be an array');
  return cells.map((cell, i) => {
    if (typeof cell !== "object" || cell === null || typeof (cell as { sql?: unknown }).sql !== "string") {
      throw new Error(`cells[${i}].sql must be a string`);
    }
    return (cell as { sql: string }).sql;
  });
}

// A default name for a new notebook: after the model its first CREATE MODEL cell names.
export function suggestName(cells: string[]): string {
  for (const sql of cells) {
    const m = /create\s+(?:or\s+replace\s+)?model\s+(?:if\s+not\s+exists\s+)?`?([A-Za-z0-9_.-]+)`?/i.exec(sql);
    if (m) return `${m[1]}_notebook`;
  }
  return "notebook";
}
