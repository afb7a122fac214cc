/**
 * XML-RPC on the wire, with the `xmlrpc` package's Deserializer/Serializer and the guards that
 * package lacks (protocols.md §5.2): no DOCTYPE/ENTITY (billion laughs, XXE), the XML `encoding`
 * declaration honoured, method names and strings trimmed (as WordPress's IXR does), struct members
 * copied into prototype-free objects (`__proto__`), and characters XML cannot carry stripped
 * before serializing (xmlbuilder throws on them).
 */
import { Readable } from 'node:stream';
import iconv from 'iconv-lite';
import { createRequire } from 'node:module';
import type DeserializerClass from 'xmlrpc/lib/deserializer.js';
import type * as Serializer from 'xmlrpc/lib/serializer.js';
import { stripInvalidXmlChars } from '../lib/xml.js';

/** Fault codes of the XML-RPC fault-code interop spec (2001-05-16). */
// The xmlrpc package (with sax and xmlbuilder, about 1 MiB of heap) is loaded with the first
// Pingback received or sent, not by every server at start: many blogs never see one.
const load = createRequire(import.meta.url);
let deserializerClass: typeof DeserializerClass | undefined;
let serializerModule: typeof Serializer | undefined;
const newDeserializer = (): DeserializerClass => new (deserializerClass ??= load('xmlrpc/lib/deserializer.js') as typeof DeserializerClass)('utf8');
const serializer = (): typeof Serializer => (serializerModule ??= load('xmlrpc/lib/serializer.js') as typeof Serializer);

export const XMLRPC_FAULT = {
  parseError: -32700,
  unsupportedEncoding: -32701,
  invalidRequest: -32600,
  methodNotFound: -32601,
  invalidParams: -32602,
  internalError: -32603,
} as const;

export class XmlRpcFault extends Error {
  constructor(readonly faultCode: number, readonly faultString: string) {
    super(faultString);
    this.name = 'XmlRpcFault';
  }
}

export interface MethodCall {
  methodName: string;
  params: unknown[];
}

const METHOD_NAME = /^[A-Za-z0-9_.:/]+$/;

/**
 * Arrays and structs nested deeper than this are refused before parsing. Pingback needs no nesting
 * and system.multicall three levels; a 64 KiB body could otherwise nest some 2,400 levels, and each
 * level is a frame in every recursive walk over the value (cleaning, serializing, our own code).
 */
export const MAX_NESTING = 32;

/** Parses a request body; throws XmlRpcFault with an interop code for anything that is not a well-formed call. */
export async function readMethodCall(body: Buffer): Promise<MethodCall> {
  const xml = decodeDeclaredEncoding(body);
  // The parser in use (sax, loose mode) does not expand DTD entities, but nothing legitimate in
  // XML-RPC needs a DTD, so it is refused outright (as expat-based servers effectively do).
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw new XmlRpcFault(XMLRPC_FAULT.parseError, 'parse error. DOCTYPE and ENTITY declarations are not allowed');
  // sax 1.2 passes a character reference beyond U+10FFFF (`&#99999999;`) to String.fromCodePoint,
  // whose RangeError escapes the stream as an uncaught exception and ends the process (found by
  // tests/fuzz/xmlrpc.test.ts). XML 1.0 §4.1 makes such a reference a well-formedness error anyway.
  if (hasOutOfRangeCharRef(xml)) throw new XmlRpcFault(XMLRPC_FAULT.parseError, 'parse error. not well formed (character reference out of range)');
  if (nestingDepth(xml) > MAX_NESTING) {
    throw new XmlRpcFault(XMLRPC_FAULT.invalidRequest, `server error. invalid xml-rpc. arrays and structs nest at most ${MAX_NESTING} levels deep`);
  }
  const { methodName, params } = await new Promise<{ methodName: string | undefined; params: unknown[] }>((resolve, reject) => {
    newDeserializer().deserializeMethodCall(Readable.from(inSlices(Buffer.from(xml, 'utf8'))), (error, name, values) => {
      if (error) {
        const notACall = /Not a method call|did not contain a method name/.test(error.message);
        reject(new XmlRpcFault(notACall ? XMLRPC_FAULT.invalidRequest : XMLRPC_FAULT.parseError,
          notACall ? 'server error. invalid xml-rpc. not conforming to spec. Request must be a methodCall' : 'parse error. not well formed'));
      } else {
        resolve({ methodName: name, params: values ?? [] });
      }
    });
  });
  const name = (methodName ?? '').trim();
  if (!METHOD_NAME.test(name)) throw new XmlRpcFault(XMLRPC_FAULT.invalidRequest, 'server error. invalid xml-rpc. bad method name');
  return { methodName: name, params: params.map(clean) };
}

/**
 * The body in 4 KiB slices with a turn of the event loop between them: sax parses each slice as it
 * arrives, so decoding a 64 KiB call (~100 ms of parsing) never blocks other requests for all of it
 * (`npm run bench -- --only event-loop`). The stream's string decoder rejoins characters split by a slice.
 */
async function* inSlices(data: Buffer, size = 4 * 1024): AsyncGenerator<Buffer> {
  for (let i = 0; i < data.length; i += size) {
    if (i > 0) await new Promise<void>((resolve) => setImmediate(resolve));
    yield data.subarray(i, i + size);
  }
}

/**
 * The deepest nesting of <array> and <struct> elements, counted on the text in one linear pass
 * (no parse tree, so no recursion however deep the input). Case-insensitive because sax in loose mode
 * accepts <ARRAY>; a self-closing <array/> does not nest. Tags inside CDATA count too: that can only
 * make a pathological string refused, never let deep nesting through.
 */
function nestingDepth(xml: string): number {
  let depth = 0;
  let deepest = 0;
  for (const m of xml.matchAll(/<\s*(\/?)\s*(?:array|struct)\b[^>]*?(\/?)>/gi)) {
    if (m[1] === '/') depth--;
    else if (m[2] !== '/') deepest = Math.max(deepest, ++depth);
  }
  return deepest;
}

function hasOutOfRangeCharRef(xml: string): boolean {
  for (const m of xml.matchAll(/&#(?:[xX]([0-9a-fA-F]+)|([0-9]+));/g)) {
    const code = m[1] !== undefined ? parseInt(m[1], 16) : parseInt(m[2]!, 10);
    if (!(code <= 0x10ffff)) return true;
  }
  return false;
}

/** Honours `<?xml … encoding="…"?>` (sax alone always reads UTF-8: ISO-8859-1 `é` became U+FFFD). */
function decodeDeclaredEncoding(body: Buffer): string {
  const head = body.subarray(0, 200).toString('latin1');
  const declared = /^\s*<\?xml[^>]*\bencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']/.exec(head)?.[1]?.toLowerCase();
  if (declared === undefined || declared === 'utf-8' || declared === 'utf8') return body.toString('utf8');
  if (/^utf-?(7|16|32)/.test(declared) || !iconv.encodingExists(declared)) {
    throw new XmlRpcFault(XMLRPC_FAULT.unsupportedEncoding, `parse error. unsupported encoding ${declared}`);
  }
  return iconv.decode(body, declared);
}

/** Trims strings and rebuilds structs as prototype-free objects holding only own members. */
function clean(value: unknown): unknown {
  if (typeof value === 'string') return value.trim();
  if (Array.isArray(value)) return value.map(clean);
  if (value !== null && typeof value === 'object' && !(value instanceof Date) && !Buffer.isBuffer(value)) {
    const out: Record<string, unknown> = Object.create(null);
    for (const key of Object.keys(value)) out[key] = clean((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}

function xmlSafe(value: unknown): unknown {
  if (typeof value === 'string') return stripInvalidXmlChars(value);
  if (Array.isArray(value)) return value.map(xmlSafe);
  if (value !== null && typeof value === 'object' && !(value instanceof Date) && !Buffer.isBuffer(value)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) out[stripInvalidXmlChars(key)] = xmlSafe((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}

export function formatMethodResponse(value: unknown): string {
  return serializer().serializeMethodResponse(xmlSafe(value));
}

/** Always a plain `{faultCode, faultString}` struct (an Error instance would lose its message). */
export function formatFault(faultCode: number, faultString: string): string {
  return serializer().serializeFault({ faultCode, faultString: stripInvalidXmlChars(faultString) });
}

/** A method call for an outbound request (the Pingback sender), with characters XML cannot carry removed. */
export function formatMethodCall(methodName: string, params: unknown[]): string {
  return serializer().serializeMethodCall(methodName, params.map(xmlSafe) as unknown[]);
}

export type MethodResponse = { kind: 'value'; value: unknown } | { kind: 'fault'; faultCode: number; faultString: string };

/**
 * Parses a `<methodResponse>` another server sent us, with the same DOCTYPE guard as for calls.
 * Throws XmlRpcFault(parseError) when the body is not a method response at all.
 */
export async function readMethodResponse(body: Buffer): Promise<MethodResponse> {
  const xml = decodeDeclaredEncoding(body);
  if (/<!DOCTYPE|<!ENTITY/i.test(xml) || hasOutOfRangeCharRef(xml)) throw new XmlRpcFault(XMLRPC_FAULT.parseError, 'parse error. not a plain XML-RPC response');
  return new Promise<MethodResponse>((resolve, reject) => {
    newDeserializer().deserializeMethodResponse(Readable.from([Buffer.from(xml, 'utf8')]), (error, value) => {
      if (!error) return resolve({ kind: 'value', value: clean(value) });
      const fault = error as Error & { faultCode?: unknown; faultString?: unknown };
      if (fault.faultCode !== undefined) {
        const code = Number(fault.faultCode);
        return resolve({ kind: 'fault', faultCode: Number.isInteger(code) ? code : 0, faultString: String(fault.faultString ?? '').trim() });
      }
      reject(new XmlRpcFault(XMLRPC_FAULT.parseError, `parse error. ${error.message}`));
    });
  });
}
