/**
 * Duplicate keys in a JSON text. JSON.parse keeps the last of two equal keys silently, so a safetensors header
 * naming one tensor twice would read as one tensor (and pass the tiling check when the last entry covers the
 * buffer). The reference implementation rejects such a header; so do we. Runs on text JSON.parse accepted, so it
 * only has to find where strings and objects are, not validate anything.
 */

/** The first key that appears twice in one object (at any depth), with the path of that object, or undefined. */
export function firstDuplicateKey(text: string): { key: string; path: string } | undefined {
  let i = 0;
  const skipSpace = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  /** Reads the string starting at text[i] === '"' and returns its value. */
  const readString = (): string => {
    const start = i++;
    while (text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (path: string): { key: string; path: string } | undefined => {
    skipSpace();
    const c = text[i];
    if (c === '"') {
      readString();
      return undefined;
    }
    if (c === '{') {
      i++;
      const seen = new Set<string>();
      skipSpace();
      if (text[i] === '}') {
        i++;
        return undefined;
      }
      for (;;) {
        skipSpace();
        const key = readString();
        if (seen.has(key)) return { key, path };
        seen.add(key);
        skipSpace();
        i++; // ':'
        const inner = value(path === '' ? key : `${path}.${key}`);
        if (inner) return inner;
        skipSpace();
        if (text[i++] === '}') return undefined; // else ','
      }
    }
    if (c === '[') {
      i++;
      skipSpace();
      if (text[i] === ']') {
        i++;
        return undefined;
      }
      for (;;) {
        const inner = value(path);
        if (inner) return inner;
        skipSpace();
        if (text[i++] === ']') return undefined; // else ','
      }
    }
    // a number, true, false or null: up to the next delimiter
    while (i < text.length && !',]} \t\n\r'.includes(text[i]!)) i++;
    return undefined;
  };
  return value('');
}
