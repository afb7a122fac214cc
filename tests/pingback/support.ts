/**
 * Shared pieces of the Pingback tests: source blogs served by real node:http servers on 127.0.0.1,
 * XML-RPC method calls written by hand, and a strict reader for XML-RPC answers (XML-RPC spec:
 * `<methodResponse>` with one `<param>`, or a `<fault>` whose value is a struct of exactly an `<int>`
 * faultCode and a `<string>` faultString; always HTTP 200).
 *
 * The answer reader parses with saxes (a strict, non-validating XML parser), not with the `xmlrpc`
 * package the server uses, so a serializer bug on the server cannot be hidden by the same library
 * reading it back.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SaxesParser } from 'saxes';

import type { LinkbackAttempt } from '../../src/admin-ui/api.js';
import { POST, type TestServer } from '../helpers/test-server.js';

export { ADMIN_TOKEN, POST, SITE } from '../helpers/test-server.js';

export { OTHER_POST, PRIVATE_FETCH } from '../helpers/pages.js';

/** Pingback 1.0 §3 and the XML-RPC fault-code interop spec. */
export const FAULT = {
  generic: 0,
  sourceNotFound: 16,
  noLink: 17,
  targetNotFound: 32,
  targetInvalid: 33,
  alreadyRegistered: 48,
  accessDenied: 49,
  upstream: 50,
  parseError: -32700,
  invalidRequest: -32600,
  methodNotFound: -32601,
  invalidParams: -32602,
} as const;

// ---------------------------------------------------------------------------------------------
// Source blogs

export { startSourceServer, type SeenRequest, type SourcePage, type SourceServer } from '../helpers/source-server.js';
export { withServer } from '../helpers/fixtures.js';
export { LONE_SURROGATE, adminItems, allRows, publicItems, textOf, type AdminItem, type PublicItem } from '../helpers/thread-items.js';
export { linkingPage, linkingSource } from '../helpers/pages.js';

/** A port on 127.0.0.1 that nothing listens on: bound once, then released. */
export async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// ---------------------------------------------------------------------------------------------
// Writing method calls

/** A struct whose members are given in order; unlike an object literal it can carry `__proto__`. */
export class Struct {
  constructor(readonly members: ReadonlyArray<readonly [string, Param]>) {}
}

/** Markup inserted as it is, for `<value>` contents no serializer would write. */
export class Raw {
  constructor(readonly xml: string) {}
}

export type Param = string | number | boolean | Param[] | Struct | Raw | { readonly [name: string]: Param };

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function valueXml(value: Param): string {
  if (value instanceof Raw) return `<value>${value.xml}</value>`;
  if (typeof value === 'string') return `<value><string>${escapeXml(value)}</string></value>`;
  if (typeof value === 'number') return Number.isInteger(value) ? `<value><int>${value}</int></value>` : `<value><double>${value}</double></value>`;
  if (typeof value === 'boolean') return `<value><boolean>${value ? 1 : 0}</boolean></value>`;
  if (Array.isArray(value)) return `<value><array><data>${value.map(valueXml).join('')}</data></array></value>`;
  const members = value instanceof Struct ? value.members : Object.entries(value);
  const inner = members.map(([name, v]) => `<member><name>${escapeXml(name)}</name>${valueXml(v)}</member>`).join('');
  return `<value><struct>${inner}</struct></value>`;
}

export function methodCall(name: string, params: readonly Param[]): string {
  const body = params.map((p) => `<param>${valueXml(p)}</param>`).join('');
  return `<?xml version="1.0"?><methodCall><methodName>${name}</methodName><params>${body}</params></methodCall>`;
}

// ---------------------------------------------------------------------------------------------
// Reading answers

export type XValue =
  | { type: 'int'; value: number }
  | { type: 'double'; value: number }
  | { type: 'boolean'; value: boolean }
  | { type: 'string'; value: string }
  | { type: 'base64' | 'dateTime.iso8601' | 'nil'; value: string }
  | { type: 'array'; value: XValue[] }
  | { type: 'struct'; value: Map<string, XValue> };

interface Element {
  name: string;
  children: Array<Element | string>;
}

function parseXmlTree(xml: string): Element {
  const parser = new SaxesParser();
  const root: Element = { name: '#document', children: [] };
  const stack: Element[] = [root];
  let failure: Error | undefined;
  parser.on('error', (err) => {
    failure ??= err;
  });
  parser.on('opentag', (tag) => {
    const el: Element = { name: tag.name, children: [] };
    stack[stack.length - 1]!.children.push(el);
    stack.push(el);
  });
  parser.on('closetag', () => void stack.pop());
  parser.on('text', (text) => void stack[stack.length - 1]!.children.push(text));
  parser.on('cdata', (text) => void stack[stack.length - 1]!.children.push(text));
  parser.write(xml).close();
  if (failure) throw failure;
  const elements = root.children.filter((c): c is Element => typeof c !== 'string');
  assert.equal(elements.length, 1, 'one root element');
  return elements[0]!;
}

const elementsOf = (el: Element): Element[] => el.children.filter((c): c is Element => typeof c !== 'string');
const textOfElement = (el: Element): string => el.children.map((c) => (typeof c === 'string' ? c : textOfElement(c))).join('');

/** The only child element named `name`; fails on stray non-blank text or other elements. */
function only(el: Element, name: string): Element {
  const kids = elementsOf(el);
  const stray = el.children.filter((c) => typeof c === 'string' && c.trim() !== '');
  assert.deepEqual(stray, [], `stray text inside <${el.name}>`);
  assert.equal(kids.length, 1, `<${el.name}> holds exactly one element, got ${kids.map((k) => k.name).join(', ')}`);
  assert.equal(kids[0]!.name, name, `<${el.name}> holds <${name}>`);
  return kids[0]!;
}

function readValue(valueEl: Element): XValue {
  assert.equal(valueEl.name, 'value');
  const kids = elementsOf(valueEl);
  if (kids.length === 0) return { type: 'string', value: textOfElement(valueEl) };
  const typed = only(valueEl, kids[0]!.name);
  const text = textOfElement(typed);
  switch (typed.name) {
    case 'int':
    case 'i4': {
      assert.match(text.trim(), /^[+-]?\d+$/, `an <${typed.name}> holds digits`);
      return { type: 'int', value: Number(text) };
    }
    case 'double':
      return { type: 'double', value: Number(text) };
    case 'boolean':
      assert.match(text.trim(), /^[01]$/, 'a <boolean> is 0 or 1');
      return { type: 'boolean', value: text.trim() === '1' };
    case 'string':
      return { type: 'string', value: text };
    case 'base64':
    case 'dateTime.iso8601':
    case 'nil':
      return { type: typed.name, value: text };
    case 'array': {
      const data = only(typed, 'data');
      return { type: 'array', value: elementsOf(data).map(readValue) };
    }
    case 'struct': {
      const members = new Map<string, XValue>();
      for (const member of elementsOf(typed)) {
        assert.equal(member.name, 'member');
        const parts = elementsOf(member);
        const name = parts.find((p) => p.name === 'name');
        const value = parts.find((p) => p.name === 'value');
        assert.ok(name && value && parts.length === 2, 'a <member> holds a <name> and a <value>');
        members.set(textOfElement(name), readValue(value));
      }
      return { type: 'struct', value: members };
    }
    default:
      assert.fail(`unknown XML-RPC type <${typed.name}>`);
  }
}

/** A JavaScript view of a value: structs become null-prototype objects, the rest the obvious thing. */
export function plain(value: XValue): unknown {
  switch (value.type) {
    case 'array':
      return value.value.map(plain);
    case 'struct': {
      const out: Record<string, unknown> = Object.create(null);
      for (const [k, v] of value.value) out[k] = plain(v);
      return out;
    }
    default:
      return value.value;
  }
}

export interface Fault {
  faultCode: number;
  faultString: string;
}

/** Checks the fault struct has exactly an int faultCode and a string faultString. */
export function readFaultStruct(value: XValue, where = 'fault'): Fault {
  assert.equal(value.type, 'struct', `${where} value is a struct`);
  const members = (value as { value: Map<string, XValue> }).value;
  assert.deepEqual([...members.keys()].sort(), ['faultCode', 'faultString'], `${where} has exactly faultCode and faultString`);
  const code = members.get('faultCode')!;
  const text = members.get('faultString')!;
  assert.equal(code.type, 'int', `${where} faultCode is an <int>`);
  assert.equal(text.type, 'string', `${where} faultString is a string`);
  return { faultCode: code.value as number, faultString: text.value as string };
}

export type XmlRpcAnswer = { kind: 'value'; value: XValue } | { kind: 'fault'; fault: Fault };

export function parseMethodResponse(xml: string): XmlRpcAnswer {
  const root = parseXmlTree(xml);
  assert.equal(root.name, 'methodResponse', 'the root is <methodResponse>');
  const [first] = elementsOf(root);
  assert.ok(first, '<methodResponse> is not empty');
  if (first.name === 'fault') {
    return { kind: 'fault', fault: readFaultStruct(readValue(only(only(root, 'fault'), 'value'))) };
  }
  const param = only(only(root, 'params'), 'param');
  return { kind: 'value', value: readValue(only(param, 'value')) };
}

// ---------------------------------------------------------------------------------------------
// Talking to the server

export interface HttpAnswer {
  status: number;
  contentType: string;
  headers: Headers;
  body: string;
}

/** POSTs a raw body to /xmlrpc. A deadline keeps a hanging server from hanging the suite. */
export async function postXmlRpc(
  server: TestServer,
  body: string | Buffer,
  headers: Record<string, string> = { 'content-type': 'text/xml' },
  timeoutMs = 20_000,
): Promise<HttpAnswer> {
  const payload = typeof body === 'string' ? body : new Uint8Array(body);
  const res = await server.request('/xmlrpc', { method: 'POST', headers, body: payload, signal: AbortSignal.timeout(timeoutMs) });
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', headers: res.headers, body: await res.text() };
}

/** HTTP 200, an XML media type, and a well-formed XML-RPC answer. */
export function readAnswer(answer: HttpAnswer): XmlRpcAnswer {
  assert.equal(answer.status, 200, `HTTP ${answer.status}: ${answer.body.slice(0, 300)}`);
  assert.match(answer.contentType, /^text\/xml\b/i, 'answered as text/xml');
  return parseMethodResponse(answer.body);
}

export async function call(server: TestServer, name: string, params: readonly Param[]): Promise<XmlRpcAnswer> {
  return readAnswer(await postXmlRpc(server, methodCall(name, params)));
}

export function expectFault(answer: XmlRpcAnswer, code: number, context = ''): Fault {
  assert.equal(answer.kind, 'fault', `expected fault ${code}${context ? ` (${context})` : ''}, got a value: ${JSON.stringify(answer.kind === 'value' ? plain(answer.value) : null)}`);
  const { fault } = answer as { fault: Fault };
  assert.equal(fault.faultCode, code, `expected fault ${code}${context ? ` (${context})` : ''}, got ${fault.faultCode} "${fault.faultString}"`);
  return fault;
}

export function expectValue(answer: XmlRpcAnswer, context = ''): XValue {
  if (answer.kind === 'fault') {
    assert.fail(`expected a value${context ? ` (${context})` : ''}, got fault ${answer.fault.faultCode} "${answer.fault.faultString}"`);
  }
  return answer.value;
}

/** pingback.ping must answer a single string (Pingback 1.0 §3). */
export function expectPingAccepted(answer: XmlRpcAnswer, context = ''): string {
  const value = expectValue(answer, context);
  assert.equal(value.type, 'string', 'pingback.ping answers a string');
  return value.value as string;
}

export function ping(server: TestServer, source: string, target: string = POST): Promise<XmlRpcAnswer> {
  return call(server, 'pingback.ping', [source, target]);
}

export async function getPingbacks(server: TestServer, target: string = POST): Promise<XmlRpcAnswer> {
  return call(server, 'pingback.extensions.getPingbacks', [target]);
}

/** An attempt as GET /api/admin/linkbacks lists it: the type the admin UI reads it with. */
export type LogEntry = LinkbackAttempt;

export async function linkbackLog(server: TestServer): Promise<LogEntry[]> {
  const res = await server.admin('/api/admin/linkbacks?limit=500');
  assert.equal(res.status, 200, `GET /api/admin/linkbacks answered ${res.status}`);
  return ((await res.json()) as { attempts: LogEntry[] }).attempts;
}

// ---------------------------------------------------------------------------------------------
// Python's xmlrpc.client, an independent XML-RPC implementation (expat underneath)

/** undefined when python3 with xmlrpc.client can run here, else why not. */
export async function pythonUnavailable(): Promise<string | undefined> {
  try {
    await runPython('import json, xmlrpc.client\nprint(json.dumps("ok"))', []);
    return undefined;
  } catch (err) {
    return `python3 with xmlrpc.client is not available here (${(err as Error).message.split('\n')[0]})`;
  }
}

/** Runs `script` with `args` in sys.argv[1:] and parses its last stdout line as JSON. */
export function runPython(script: string, args: readonly string[]): Promise<unknown> {
  return new Promise((resolve, reject) => {
    execFile('python3', ['-c', script, ...args], { timeout: 30_000, env: { ...process.env, PYTHONIOENCODING: 'utf-8' } }, (err, stdout, stderr) => {
      if (err) {
        reject(new Error(`${err.message}\n${stderr}`));
        return;
      }
      const lines = stdout.trim().split('\n');
      try {
        resolve(JSON.parse(lines[lines.length - 1] ?? ''));
      } catch {
        reject(new Error(`python printed no JSON: ${stdout}\n${stderr}`));
      }
    });
  });
}
