/**
 * Streams an XML file through saxes, chunk by chunk, so a 200 MB export is never held in memory:
 * only the element being read and the records completed by the current chunk are.
 */
import { createReadStream } from 'node:fs';
import { SaxesParser } from 'saxes';
import { ImportError } from './record.js';

export interface XmlVisitor<T> {
  /** `path` holds the names of the open ancestors, outermost first, not including `name`. */
  open(name: string, attributes: Readonly<Record<string, string>>, path: readonly string[]): void;
  /** `text` is the element's own text and CDATA since its last child element ended (its whole text for a leaf). */
  close(name: string, text: string, path: readonly string[], emit: (record: T) => void, line: number): void;
  /** After the document ended; may emit what waited for the end. */
  end?(emit: (record: T) => void): void;
}

export interface XmlProgress {
  (bytesRead: number): void;
}

/**
 * Yields the records the visitor emits, a chunk's worth at a time. A syntax error or a truncated
 * file throws an ImportError naming the file's line.
 */
export async function* streamXmlRecords<T>(file: string, visitor: XmlVisitor<T>, onProgress?: XmlProgress): AsyncGenerator<T[]> {
  const parser = new SaxesParser({ position: true });
  const path: string[] = [];
  let text = '';
  let ready: T[] = [];
  const emit = (record: T) => void ready.push(record);
  let failure: Error | undefined;

  parser.on('error', (err) => {
    failure ??= new ImportError(`line ${parser.line}`, err.message.replace(/^\d+:\d+: /, ''));
  });
  parser.on('opentag', (node) => {
    visitor.open(node.name, node.attributes as Record<string, string>, path);
    path.push(node.name);
    text = '';
  });
  parser.on('text', (t) => void (text += t));
  parser.on('cdata', (t) => void (text += t));
  parser.on('closetag', (node) => {
    path.pop();
    try {
      visitor.close(node.name, text, path, emit, parser.line);
    } catch (err) {
      failure ??= err instanceof ImportError ? err : new ImportError(`line ${parser.line}`, (err as Error).message);
    }
    text = '';
  });

  const stream = createReadStream(file, { encoding: 'utf8', highWaterMark: 256 * 1024 });
  try {
    for await (const chunk of stream) {
      parser.write(chunk as string);
      if (failure) throw failure;
      onProgress?.(stream.bytesRead);
      if (ready.length > 0) {
        const out = ready;
        ready = [];
        yield out;
      }
    }
    if (path.length > 0) throw new ImportError(`line ${parser.line}`, `the file ends inside <${path[path.length - 1]}>: it is truncated`);
    parser.close();
    if (failure) throw failure;
    visitor.end?.(emit);
    if (ready.length > 0) yield ready;
  } finally {
    stream.destroy();
  }
}
