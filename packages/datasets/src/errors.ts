/**
 * Every failure to find or read data is a DatasetError. Messages name the file (and the byte offset or entry
 * where it went wrong) so a person can find the bad input without a debugger.
 */
export class DatasetError extends Error {
  override name = 'DatasetError';
}

/** A directory or file is missing; the message says where it was looked for and how to get the data. */
export class DataNotFoundError extends DatasetError {
  override name = 'DataNotFoundError';
  constructor(
    readonly path: string,
    readonly hint: string,
  ) {
    super(`not found: ${path}. ${hint}`);
  }
}

/** The bytes are not what the format promises: bad magic, truncated, wrong size, label out of range, ... */
export class DataFormatError extends DatasetError {
  override name = 'DataFormatError';
  constructor(
    readonly file: string,
    /** Where it went wrong: a byte offset (number) or an entry name such as a record index or a file. */
    readonly where: number | string | undefined,
    readonly detail: string,
  ) {
    const at =
      where === undefined ? '' : typeof where === 'number' ? ` at byte offset ${where}` : ` at ${where}`;
    super(`${file}${at}: ${detail}`);
  }
}
