// The API description (docs/openapi.json) as a referee: which answers a route may give,
// and a validator of JSON values against its schemas (the OpenAPI 3.0 subset the
// document uses: $ref, type, nullable, enum, properties, required, additionalProperties,
// items, allOf, oneOf, anyOf, minimum, maximum, minLength, maxLength, pattern, format).
// An object may only carry the properties its schema declares, unless the schema says
// otherwise: a canned answer with a key the daemon never sends is as wrong as a missing one.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const documentPath = path.resolve(here, '../../docs/openapi.json');


export class Api {
  constructor(doc = JSON.parse(fs.readFileSync(documentPath, 'utf8'))) {
    this.doc = doc;
    // Templates as regular expressions, the literal ones first (/tests/{id} must not take /tests).
    this.paths = Object.keys(doc.paths).map((t) => ({
      template: t,
      re: new RegExp(`^${t.replace(/[.]/g, '\\.').replace(/\{[^}/]+\}/g, '[^/]+')}$`),
      params: (t.match(/\{/g) || []).length,
    })).sort((a, b) => a.params - b.params);
  }

  resolve(node) {
    let n = node;
    for (let i = 0; n && n.$ref && i < 20; i++) {
      const parts = n.$ref.replace(/^#\//, '').split('/');
      n = parts.reduce((o, k) => o?.[k], this.doc);
      if (!n) throw new Error(`unresolved $ref ${node.$ref}`);
    }
    return n;
  }

  // The operation a request reaches: {template, op} or null.
  operation(method, pathname) {
    const m = method.toLowerCase();
    for (const p of this.paths) {
      if (p.re.test(pathname) && this.doc.paths[p.template][m]) return { template: p.template, op: this.doc.paths[p.template][m] };
    }
    return null;
  }

  // The schema of an answer: {schema} (null schema: no JSON body documented), or {error}.
  responseSchema(method, pathname, status, type = 'application/json') {
    const found = this.operation(method, pathname);
    if (!found) return { error: `${method} ${pathname}: no such operation in docs/openapi.json` };
    const responses = found.op.responses || {};
    const raw = responses[String(status)] || responses[`${String(status)[0]}XX`] || responses.default;
    if (!raw) {
      return { error: `${method} ${found.template}: status ${status} is not one the API gives (${Object.keys(responses).join(', ')})` };
    }
    const res = this.resolve(raw);
    const content = res.content || {};
    if (!content[type]) {
      if (!Object.keys(content).length) return { schema: null };
      return { error: `${method} ${found.template} ${status}: ${type} is not documented (${Object.keys(content).join(', ')})` };
    }
    return { schema: content[type].schema || null, template: found.template };
  }

  // An SSE event's data: the schema x-tonewire-events names for it.
  eventSchema(name) {
    const ev = this.doc.paths['/api/v1/events']?.get?.['x-tonewire-events'] || {};
    return ev[name] || null;
  }

  // Every way value breaks schema, as "where: what" strings (empty: valid).
  validate(schema, value, where = '$') {
    const out = [];
    this.check(schema, value, where, out, true);
    return out;
  }

  // The property names a schema declares, through $ref and allOf.
  declared(schema) {
    const s = this.resolve(schema);
    const names = new Set(Object.keys(s.properties || {}));
    for (const sub of s.allOf || []) for (const n of this.declared(sub)) names.add(n);
    return names;
  }

  // Whether the schema lets an object carry properties it does not name.
  open(schema) {
    const s = this.resolve(schema);
    if (s.additionalProperties !== undefined && s.additionalProperties !== false) return true;
    return (s.allOf || []).some((sub) => this.open(sub));
  }

  check(schema, value, where, out, strict) {
    const s = this.resolve(schema);
    if (value === null) {
      if (!s.nullable && !(s.oneOf || s.anyOf || []).some((x) => this.resolve(x).nullable)) out.push(`${where}: null is not allowed`);
      return;
    }
    if (s.allOf) {
      for (const sub of s.allOf) this.check(sub, value, where, out, false);
      if (strict) this.extra(s, value, where, out);
    }
    if (s.oneOf || s.anyOf) {
      const branches = s.oneOf || s.anyOf;
      const fits = branches.filter((b) => this.validate(b, value, where).length === 0).length;
      if (s.oneOf ? fits !== 1 : fits < 1) {
        const why = branches.map((b) => this.validate(b, value, where).slice(0, 2).join('; ')).join(' | ');
        out.push(`${where}: ${fits} of ${branches.length} ${s.oneOf ? 'oneOf' : 'anyOf'} branches fit (${why})`);
      }
    }
    if (s.enum && !s.enum.includes(value)) out.push(`${where}: ${JSON.stringify(value)} is not one of ${JSON.stringify(s.enum)}`);
    const t = s.type;
    const actual = Array.isArray(value) ? 'array' : Number.isInteger(value) ? 'integer' : typeof value;
    if (t) {
      const ok = t === actual || (t === 'number' && actual === 'integer') || (t === 'object' && actual === 'object');
      if (!ok) {
        out.push(`${where}: expected ${t}, got ${actual}`);
        return;
      }
    }
    if (typeof value === 'string') {
      if (s.maxLength != null && value.length > s.maxLength) out.push(`${where}: longer than ${s.maxLength}`);
      if (s.minLength != null && value.length < s.minLength) out.push(`${where}: shorter than ${s.minLength}`);
      if (s.pattern && !new RegExp(s.pattern).test(value)) out.push(`${where}: does not match ${s.pattern}`);
      if (s.format === 'date-time' && !/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/.test(value)) out.push(`${where}: not a date-time`);
    }
    if (typeof value === 'number') {
      if (s.minimum != null && value < s.minimum) out.push(`${where}: below ${s.minimum}`);
      if (s.maximum != null && value > s.maximum) out.push(`${where}: above ${s.maximum}`);
    }
    if (Array.isArray(value)) {
      if (s.items) value.forEach((v, i) => this.check(s.items, v, `${where}[${i}]`, out, true));
      if (s.minItems != null && value.length < s.minItems) out.push(`${where}: fewer than ${s.minItems} items`);
      if (s.maxItems != null && value.length > s.maxItems) out.push(`${where}: more than ${s.maxItems} items`);
    } else if (typeof value === 'object') {
      for (const r of s.required || []) if (!(r in value)) out.push(`${where}: required "${r}" is missing`);
      for (const [k, sub] of Object.entries(s.properties || {})) {
        if (k in value) this.check(sub, value[k], `${where}.${k}`, out, true);
      }
      if (s.additionalProperties && typeof s.additionalProperties === 'object') {
        for (const k of Object.keys(value)) {
          if (!(s.properties && k in s.properties)) this.check(s.additionalProperties, value[k], `${where}.${k}`, out, true);
        }
      }
      if (strict && !s.allOf && (s.properties || s.additionalProperties === false)) this.extra(s, value, where, out);
    }
  }

  extra(s, value, where, out) {
    if (typeof value !== 'object' || Array.isArray(value) || this.open(s)) return;
    const known = this.declared(s);
    for (const k of Object.keys(value)) if (!known.has(k)) out.push(`${where}: "${k}" is not in the API's description`);
  }
}

