/**
 * Pingback 1.0 on XML-RPC: `pingback.ping(sourceURI, targetURI)` → LinkbackSubmission, and our typed
 * errors → the spec's fault codes, sent as they are (WordPress collapses them all to 0 since
 * CVE-2013-0235; our fetcher's guards close the port-scan oracle instead, so senders get real answers).
 */
import type { Arriving, ClientInfo, LinkbackSubmission } from '../domain/comment.js';
import type { ErrorCode } from '../domain/errors.js';
import { XMLRPC_FAULT, XmlRpcFault } from './xmlrpc.js';

/** Pingback 1.0 §3 fault codes. */
export const PINGBACK_FAULT = {
  generic: 0,
  sourceNotFound: 0x10,
  sourceMissingLink: 0x11,
  targetNotFound: 0x20,
  targetInvalid: 0x21,
  alreadyRegistered: 0x30,
  accessDenied: 0x31,
  upstreamError: 0x32,
} as const;

/** Reads `pingback.ping`'s two string parameters; anything else is -32602. */
export function parsePingbackCall(params: readonly unknown[], client: ClientInfo): Arriving<LinkbackSubmission> {
  const [source, target] = params;
  if (params.length !== 2 || typeof source !== 'string' || typeof target !== 'string') {
    throw new XmlRpcFault(XMLRPC_FAULT.invalidParams, 'pingback.ping takes two strings: sourceURI and targetURI.');
  }
  // Senders that copy URLs out of HTML sometimes leave `&amp;` in them (WordPress undoes it too).
  return { kind: 'pingback', source: source.replace(/&amp;/g, '&'), target: target.replace(/&amp;/g, '&'), client };
}

/** The single-parameter methods (`pingback.extensions.getPingbacks`). */
export function parseTargetParam(params: readonly unknown[], method: string): string {
  const [target] = params;
  if (params.length !== 1 || typeof target !== 'string') {
    throw new XmlRpcFault(XMLRPC_FAULT.invalidParams, `${method} takes one string: targetURI.`);
  }
  return target.replace(/&amp;/g, '&');
}

const FAULT_FOR_CODE: Partial<Record<ErrorCode, number>> = {
  'missing-field': PINGBACK_FAULT.targetNotFound,
  'invalid-target': PINGBACK_FAULT.targetNotFound,
  'not-found': PINGBACK_FAULT.targetNotFound,
  'target-not-allowed': PINGBACK_FAULT.targetInvalid,
  'target-too-long': PINGBACK_FAULT.targetInvalid,
  'invalid-url': PINGBACK_FAULT.sourceNotFound,
  'source-unreachable': PINGBACK_FAULT.sourceNotFound,
  'source-missing-link': PINGBACK_FAULT.sourceMissingLink,
  'duplicate': PINGBACK_FAULT.alreadyRegistered,
  'closed': PINGBACK_FAULT.accessDenied,
  'forbidden': PINGBACK_FAULT.accessDenied,
  'rate-limited': PINGBACK_FAULT.accessDenied,
  'upstream-error': PINGBACK_FAULT.upstreamError,
};

/** The fault code for one of our error codes; 0 (generic) where the spec has nothing closer. */
export function pingbackFaultCode(code: ErrorCode): number {
  return FAULT_FOR_CODE[code] ?? PINGBACK_FAULT.generic;
}

export function pingbackSuccessMessage(source: string, target: string): string {
  return `Pingback from ${source} to ${target} registered.`;
}

export const ALREADY_REGISTERED_MESSAGE = 'The pingback has already been registered.';
