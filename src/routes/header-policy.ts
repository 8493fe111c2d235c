/**
 * Which headers a rule (`--request-header`, `--response-header`, `requestHeaders`, `responseHeaders`)
 * may set or remove. README "Security model": a rule never touches what frames or routes a message,
 * so it cannot make the backend see a second request or the client a length that disagrees with
 * the body, and it never holds a character that would end a header line.
 */

/**
 * RFC 9110 §5.1: a field name is a token. It must also start with a letter or digit, as every
 * registered field does: a leading `+` or `-` is an operator in a Caddyfile's header directives.
 */
const TOKEN = /^[0-9a-z][!#$%&'*+.^_`|~0-9a-z-]*$/i;

/**
 * RFC 9110 §5.5 field content: visible ASCII, space and tab, and obs-text. The C1 range (0x80-0x9f,
 * NEL among it) is refused too, and anything above 0xff, which Node cannot put on the wire at all.
 */
const FIELD_VALUE = /^[\t\x20-\x7e\xa0-\xff]*$/;

/** Headers a rule may never touch, with the reason the refusal gives. */
const FRAMING: Record<string, string> = {
  'content-length': 'it frames the message body',
  'transfer-encoding': 'it frames the message body',
  trailer: 'it frames the message body',
  host: 'it routes the request',
  connection: 'it is hop-by-hop, managed by portico per connection',
  'keep-alive': 'it is hop-by-hop, managed by portico per connection',
  'proxy-connection': 'it is hop-by-hop, managed by portico per connection',
  'proxy-authenticate': 'it is hop-by-hop, managed by portico per connection',
  'proxy-authorization': 'it is hop-by-hop, managed by portico per connection',
  te: 'it is hop-by-hop, managed by portico per connection',
  upgrade: 'it switches the protocol of the connection',
  'http2-settings': 'it is hop-by-hop, managed by portico per connection',
  'x-portico-hop': "it is portico's own loop marker",
};

/**
 * Why a rule on `name` (with `value` when it sets one) is refused, as the end of a sentence, or
 * undefined when it is allowed. `name` as typed.
 */
export function headerRuleProblem(name: string, value?: string): string | undefined {
  if (name.startsWith(':')) return 'pseudo-headers frame and route the request and cannot be changed';
  if (!TOKEN.test(name)) return "a header name starts with a letter or digit and holds only letters, digits and !#$%&'*+.^_`|~- (RFC 9110 §5.1)";
  const framing = FRAMING[name.toLowerCase()];
  if (framing) return `${framing}, so a rule may not set or remove it`;
  if (value !== undefined && !FIELD_VALUE.test(value)) {
    return 'the value holds a control or line-separator character (CR, LF, NUL, ...), which RFC 9110 §5.5 forbids';
  }
  return undefined;
}
