// SPDX-License-Identifier: MIT
// Checks answers the tests received against the API's description:
//
//   node check-answers.mjs openapi.json answers.jsonl
//
// Each line of answers.jsonl is one answer (tests/rndimg-test-util.c,
// test_record_answer()): method, path, status, content_type, body_bytes,
// body (when JSON), cache_control (when read). Each must be described: its
// path by a path of the document (or, for no path of it, the router's 404,
// or the 301 of a route's path with a trailing slash), its method by an
// operation (OPTIONS: the preflight; else the router's 405), its status by
// one of the operation's responses or by those x-rndimg-router says any
// request may get, its content type by that response's content, its
// Cache-Control by the value the response documents (a const or an enum),
// and a JSON body by the schema there. Prints one line per problem; exits 1
// if any.
import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

const DOCUMENT_ID = 'openapi.json';

export function loadDocument (path) {
  const document = JSON.parse(readFileSync(path, 'utf8'));
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
  addFormats(ajv);
  ajv.addSchema(document, DOCUMENT_ID);
  return { document, ajv, validators: new Map() };
}

function escapePointer (segment) {
  return segment.replaceAll('~', '~0').replaceAll('/', '~1');
}

// The object a JSON pointer ("/components/schemas/Event") names.
function atPointer (document, pointer) {
  return pointer.split('/').slice(1)
    .map(s => s.replaceAll('~1', '/').replaceAll('~0', '~'))
    .reduce((node, key) => node?.[key], document);
}

function followRef (document, node) {
  while (node?.$ref !== undefined)
    node = atPointer(document, node.$ref.slice(1));
  return node;
}

// @template's path parameters: { name: { pattern: RegExp, spans } }, where
// spans says the parameter may come with its '/' unescaped, over several
// segments (x-rndimg-unescaped-slashes: a picture's name with its album).
function pathParameters (document, template) {
  const item = document.paths[template];
  const parameters = {};
  const operations = Object.values(item).filter(value => Array.isArray(value?.parameters));
  const lists = [item.parameters ?? [], ...operations.map(operation => operation.parameters)];

  for (const parameter of lists.flat().map(p => followRef(document, p))) {
    const pattern = followRef(document, parameter?.schema)?.pattern;
    if (parameter?.in === 'path')
      parameters[parameter.name] = {
        pattern: pattern !== undefined ? new RegExp(pattern, 'u') : undefined,
        spans: parameter['x-rndimg-unescaped-slashes'] === true,
      };
  }
  return parameters;
}

// A path segment unescaped; as it came when it cannot be (a stray "%").
function decoded (segment) {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

// Whether @template ("/static/img/{name}") describes @path: a parameter
// stands for one segment (or, when it spans, one or more), and must match
// its schema's pattern.
function templateMatches (document, template, path) {
  const names = [];
  const parameters = pathParameters(document, template);
  const parts = template.split(/(\{[^}]+\})/).map(part => {
    if (!part.startsWith('{'))
      return part.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
    names.push(part.slice(1, -1));
    return parameters[part.slice(1, -1)]?.spans ? '([^/]+(?:/[^/]+)*?)' : '([^/]+)';
  });
  const found = new RegExp('^' + parts.join('') + '$').exec(path);
  if (found === null)
    return false;
  return names.every((name, i) => parameters[name]?.pattern?.test(decoded(found[i + 1])) ?? true);
}

// The document's path that describes @path: a concrete one first, then the
// template with the fewest parameters; null when none does.
export function matchPath (document, path) {
  if (path in document.paths)
    return path;
  const candidates = Object.keys(document.paths)
    .filter(template => template.includes('{') && templateMatches(document, template, path))
    .sort((a, b) => a.split('{').length - b.split('{').length);
  return candidates[0] ?? null;
}

// A response object, its $ref followed, and the JSON pointer it lives at.
function resolveResponse (document, response, pointer) {
  while (response?.$ref !== undefined) {
    pointer = response.$ref.slice(1);
    response = atPointer(document, pointer);
  }
  return { response, pointer };
}

// The responses an answer to @method on @path may be: { status: {response, pointer} }.
function describedResponses (document, method, path) {
  const router = document['x-rndimg-router'] ?? {};
  const template = matchPath(document, path);
  let own = {};
  let ownPointer = '';
  let where;

  if (template === null && path.length > 1 && path.endsWith('/') && matchPath(document, path.slice(0, -1)) !== null) {
    own = router.trailingSlash ?? {};
    ownPointer = '/x-rndimg-router/trailingSlash';
    where = `${matchPath(document, path.slice(0, -1))} with a trailing slash`;
  } else if (template === null) {
    own = router.noSuchPath ?? {};
    ownPointer = '/x-rndimg-router/noSuchPath';
    where = 'no path of the document';
  } else if (method === 'OPTIONS') {
    own = router.options ?? {};
    ownPointer = '/x-rndimg-router/options';
    where = `${template} (preflight)`;
  } else {
    const operationMethod = method === 'HEAD' ? 'get' : method.toLowerCase();
    const operation = document.paths[template][operationMethod];
    if (operation === undefined) {
      own = router.unlistedMethod ?? {};
      ownPointer = '/x-rndimg-router/unlistedMethod';
      where = `${template} (no ${method} operation)`;
    } else {
      own = operation.responses;
      ownPointer = `/paths/${escapePointer(template)}/${operationMethod}/responses`;
      where = `${method} ${template}`;
    }
  }
  const described = {};
  for (const [status, response] of Object.entries(router.anyRequest ?? {}))
    described[status] = resolveResponse(document, response, `/x-rndimg-router/anyRequest/${status}`);
  for (const [status, response] of Object.entries(own))
    described[status] = resolveResponse(document, response, `${ownPointer}/${escapePointer(status)}`);
  return { described, where };
}

function essence (contentType) {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

function mediaTypeMatches (key, type) {
  if (key === type || key === '*/*')
    return true;
  return key.endsWith('/*') && type.startsWith(key.slice(0, -1));
}

function isJson (type) {
  return type === 'application/json' || type.endsWith('+json');
}

function schemaValidator (loaded, pointer) {
  if (!loaded.validators.has(pointer))
    loaded.validators.set(pointer, loaded.ajv.compile({ $ref: `${DOCUMENT_ID}#${pointer}` }));
  return loaded.validators.get(pointer);
}

// What is wrong with the answer's Cache-Control, or null: checked when the
// response documents its value (a const or an enum) and the answer's was read.
function cacheControlProblem (document, response, answer) {
  const documented = followRef(document, followRef(document, response.headers?.['Cache-Control'])?.schema);
  const allowed = documented?.const !== undefined ? [documented.const] : documented?.enum;

  if (allowed === undefined || answer.cache_control === undefined || allowed.includes(answer.cache_control))
    return null;
  return `Cache-Control "${answer.cache_control}" is not the documented ${allowed.map(v => `"${v}"`).join(' or ')}`;
}

// What is wrong with one answer, or null when the document describes it.
export function checkAnswer (loaded, answer) {
  const { document } = loaded;
  const { described, where } = describedResponses(document, answer.method, answer.path);
  const status = String(answer.status);
  const match = described[status] ?? described[`${status[0]}XX`] ?? described.default;

  if (match === undefined || match.response === undefined)
    return `${where}: status ${status} is not among its responses (${Object.keys(described).join(', ')})`;
  const { response, pointer } = match;
  const content = response.content ?? {};
  const cacheProblem = cacheControlProblem(document, response, answer);

  if (cacheProblem !== null)
    return `${where} ${status}: ${cacheProblem}`;
  const type = essence(answer.content_type);
  const hasBody = answer.body_bytes > 0 && answer.method !== 'HEAD';

  if (Object.keys(content).length === 0)
    return hasBody ? `${where} ${status}: the response has no body, but ${answer.body_bytes} bytes came` : null;
  if (type === '' && !hasBody)
    return `${where} ${status}: no Content-Type (expected ${Object.keys(content).join(', ')})`;
  const key = Object.keys(content).find(k => mediaTypeMatches(k, type));
  if (key === undefined)
    return `${where} ${status}: Content-Type ${answer.content_type} is not one of ${Object.keys(content).join(', ')}`;
  if (!hasBody || !isJson(type) || content[key].schema === undefined)
    return null;
  if (answer.body === undefined)
    return `${where} ${status}: the JSON body was not recorded (not UTF-8?)`;
  let body;
  try {
    body = JSON.parse(answer.body);
  } catch (error) {
    return `${where} ${status}: the body is not JSON (${error.message})`;
  }
  const validate = schemaValidator(loaded, `${pointer}/content/${escapePointer(key)}/schema`);
  if (validate(body))
    return null;
  const errors = validate.errors.map(e => `${e.instancePath || '(body)'} ${e.message}` +
    (e.params?.additionalProperty ? ` (${e.params.additionalProperty})` : '')).join('; ');
  return `${where} ${status}: the body does not match the schema: ${errors}`;
}

function main ([documentPath, answersPath]) {
  const loaded = loadDocument(documentPath);
  const lines = readFileSync(answersPath, 'utf8').split('\n').filter(line => line !== '');
  let problems = 0;

  for (const line of lines) {
    const answer = JSON.parse(line);
    const problem = checkAnswer(loaded, answer);
    if (problem !== null) {
      problems++;
      console.log(`not described: ${answer.method} ${answer.path} -> ${answer.status} ` +
                  `${answer.content_type ?? ''} (in ${answer.test}): ${problem}`);
    }
  }
  console.log(`${lines.length} answers checked against the document, ${problems} not described`);
  if (lines.length === 0) {
    console.log('no answers were recorded: the check would prove nothing');
    return 1;
  }
  return problems > 0 ? 1 : 0;
}

if (import.meta.url === `file://${process.argv[1]}`)
  process.exitCode = main(process.argv.slice(2));
