import { validation, type FieldError } from '@emporium/platform';
import { hasHiddenCharacters } from './hidden-characters.ts';
import { COUNTRY_CODES, POSTAL_CODE_PATTERNS } from './countries.ts';
import type { AddressInput } from './types.ts';

const CONTROL = /\p{Cc}|\p{Co}|\p{Cn}|\p{Zl}|\p{Zp}/u;

export interface TextRule {
  min: number;
  max: number;
  /** Must contain at least one letter (names) rather than only digits or punctuation. */
  letter?: boolean;
}

/** Normalises (NFKC, trimmed, inner whitespace collapsed) and checks one text field. */
export function cleanText(value: string, field: string, rule: TextRule, errors: FieldError[]): string {
  if (hasHiddenCharacters(value) || CONTROL.test(value)) {
    errors.push({ field, message: 'contains invisible, control or text-direction characters' });
    return value;
  }
  const text = value.normalize('NFKC').trim().replace(/\s+/gu, ' ');
  const length = [...text].length;
  if (length < rule.min) {
    errors.push({ field, message: rule.min === 1 ? 'is required' : `needs at least ${rule.min} characters` });
  } else if (length > rule.max) {
    errors.push({ field, message: `is longer than ${rule.max} characters` });
  } else if (rule.letter && !/\p{L}/u.test(text)) {
    errors.push({ field, message: 'must contain a letter' });
  }
  return text;
}

export const NAME_RULE: TextRule = { min: 1, max: 100, letter: true };
export const STORE_NAME_RULE: TextRule = { min: 2, max: 60, letter: true };
export const DESCRIPTION_RULE: TextRule = { min: 0, max: 2000 };

export function throwIfErrors(errors: FieldError[]): void {
  if (errors.length > 0) {
    throw validation(`Invalid ${errors.map((e) => e.field).join(', ')}: ${errors[0]?.message}`, errors);
  }
}

/** Validates an address (DESIGN.md section 4) and returns it normalised; throws a Validation error. */
export function cleanAddress(input: AddressInput, prefix = ''): AddressInput {
  const errors: FieldError[] = [];
  const f = (name: string) => `${prefix}${name}`;
  const line = { min: 1, max: 200 };
  const optional = (value: string | undefined, name: string) =>
    value === undefined || value.trim() === '' ? undefined : cleanText(value, f(name), line, errors);
  const country = input.country.trim().toUpperCase();
  if (!COUNTRY_CODES.has(country)) {
    errors.push({ field: f('country'), message: 'must be an ISO 3166-1 alpha-2 code such as "US" or "FR"' });
  }
  const postalCode = cleanText(input.postalCode, f('postalCode'), { min: 1, max: 16 }, errors).toUpperCase();
  if (!/^[A-Z0-9][A-Z0-9 -]*$/.test(postalCode)) {
    errors.push({ field: f('postalCode'), message: 'may use only letters, digits, spaces and dashes' });
  } else {
    const shape = POSTAL_CODE_PATTERNS[country];
    if (shape && !shape.test(postalCode)) {
      errors.push({ field: f('postalCode'), message: `is not a valid postal code for ${country}` });
    }
  }
  const address: AddressInput = {
    name: cleanText(input.name, f('name'), NAME_RULE, errors),
    line1: cleanText(input.line1, f('line1'), line, errors),
    line2: optional(input.line2, 'line2'),
    city: cleanText(input.city, f('city'), { min: 1, max: 100, letter: true }, errors),
    region: optional(input.region, 'region'),
    postalCode,
    country,
  };
  throwIfErrors(errors);
  return address;
}

/** A URL-safe handle derived from a store name: lower-case ASCII words joined by dashes. */
export function slugOf(storeName: string): string {
  const ascii = storeName
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48)
    .replace(/-+$/, '');
  return ascii || 'store';
}
