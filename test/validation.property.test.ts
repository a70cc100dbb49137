/**
 * Property tests for the synth-time validators. The oracle is the Personalize API
 * model itself (botocore personalize 2018-05-22): its patterns, copied verbatim
 * below and read as full matches, and its length limits. Valid inputs built from
 * the model must be accepted; any other input must be rejected exactly when the
 * model rejects it, with a message that names the property and shows the value.
 */
import { execFileSync } from 'child_process';
import { Lazy } from 'aws-cdk-lib';
import * as fc from 'fast-check';
import { MAX_USER_TAGS, OWNER_TAG_KEY } from '../src/private/contract';
import { tagProblems, validateKmsKeyArn, validateName, validatePersonalizeArn, validateRoleArn } from '../src/private/validation';

/** Shapes from botocore/data/personalize/2018-05-22/service-2.json. */
const MODEL = {
  Name: { pattern: '^[a-zA-Z0-9][a-zA-Z0-9\\-_]*', min: 1, max: 63 },
  Arn: { pattern: 'arn:([a-z\\d-]+):personalize:.*:.*:.+', min: 0, max: 256 },
  RoleArn: { pattern: 'arn:([a-z\\d-]+):iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+', min: 0, max: 256 },
  KmsKeyArn: { pattern: 'arn:aws.*:kms:.*:[0-9]{12}:key/.*', min: 0, max: 2048 },
  TagKey: { pattern: '^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$', min: 1, max: 128 },
  TagValue: { pattern: '^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$', min: 0, max: 256 },
} as const;

type Shape = keyof typeof MODEL;

/** botocore's own copy of the shapes, when Python has botocore; the copy above must not drift from it. */
function botocoreShapes(): Record<string, { pattern?: string; min?: number; max?: number }> | undefined {
  const script = [
    'import botocore.loaders, json',
    "m = botocore.loaders.Loader().load_service_model('personalize', 'service-2', '2018-05-22')",
    `print(json.dumps({n: m['shapes'][n] for n in ${JSON.stringify(Object.keys(MODEL))}}))`,
  ].join('\n');
  try {
    return JSON.parse(execFileSync('python3', ['-c', script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
  } catch {
    return undefined;
  }
}

function modelAccepts(shape: Shape, value: string): boolean {
  const { pattern, min, max } = MODEL[shape];
  return value.length >= min && value.length <= max && new RegExp(`^(?:${pattern})$`, 'u').test(value);
}

const RUNS = 300;
const run = (property: fc.IProperty<any>) => fc.assert(property, { numRuns: RUNS });

const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
const DIGITS = '0123456789';
const chars = (alphabet: string, minLength: number, maxLength: number) =>
  fc.string({ unit: fc.constantFrom(...alphabet), minLength, maxLength });

const validName = fc.tuple(chars(LETTERS + DIGITS, 1, 1), chars(LETTERS + DIGITS + '-_', 0, 62)).map(([first, rest]) => first + rest);
const partition = fc.constantFrom('aws', 'aws-cn', 'aws-us-gov', 'aws-iso-b');
const region = fc.constantFrom('us-east-1', 'eu-west-1', 'cn-north-1', '');
const account = chars(DIGITS, 12, 12);
const roleArnTail = chars(LETTERS + DIGITS + '+=,.@-_/', 1, 64);
const validRoleArn = fc.tuple(partition, account, fc.boolean(), roleArnTail)
  .map(([p, a, slash, tail]) => `arn:${p}:iam::${a}:role${slash ? '/' : ''}${tail}`)
  .filter((arn) => arn.length <= MODEL.RoleArn.max);
const validKmsKeyArn = fc.tuple(partition, region, account, fc.uuid())
  .map(([p, r, a, id]) => `arn:${p}:kms:${r}:${a}:key/${id}`);
const personalizeResource = fc.tuple(fc.constantFrom('dataset-group', 'schema', 'dataset'), validName).map(([type, name]) => `${type}/${name}`);
const validPersonalizeArn = fc.tuple(partition, region, fc.oneof(account, fc.constant('')), personalizeResource)
  .map(([p, r, a, resource]) => `arn:${p}:personalize:${r}:${a}:${resource}`)
  .filter((arn) => arn.length <= MODEL.Arn.max);

/** A valid value with one character inserted, replaced or removed: the inputs a typo produces. */
function nearMiss(valid: fc.Arbitrary<string>): fc.Arbitrary<string> {
  const anyChar = fc.oneof(fc.constantFrom(' ', '*', ':', '/', '\n', '\u0085', 'é', '😀', '#', '.'), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }));
  return fc.tuple(valid, fc.nat(), anyChar, fc.constantFrom('insert', 'replace', 'remove')).map(([value, at, c, edit]) => {
    const i = value.length === 0 ? 0 : at % value.length;
    if (edit === 'insert') return value.slice(0, i) + c + value.slice(i);
    if (edit === 'replace') return value.slice(0, i) + c + value.slice(i + 1);
    return value.slice(0, i) + value.slice(i + 1);
  });
}

/** Anything at all: valid values, near misses, over-long values and arbitrary Unicode. */
function anything(valid: fc.Arbitrary<string>, max: number): fc.Arbitrary<string> {
  return fc.oneof(
    valid,
    nearMiss(valid),
    fc.tuple(valid, chars(LETTERS, 1, max)).map(([value, padding]) => value + padding),
    fc.string({ unit: 'binary', maxLength: 80 }),
  );
}

function rejection(check: () => void): Error | undefined {
  try {
    check();
    return undefined;
  } catch (error) {
    return error as Error;
  }
}

interface ValidatorCase {
  readonly shape: Shape;
  readonly validate: (property: string, value: string) => void;
  readonly valid: fc.Arbitrary<string>;
}

const CASES: Record<string, ValidatorCase> = {
  validateName: { shape: 'Name', validate: validateName, valid: validName },
  validateRoleArn: { shape: 'RoleArn', validate: validateRoleArn, valid: validRoleArn },
  validateKmsKeyArn: { shape: 'KmsKeyArn', validate: validateKmsKeyArn, valid: validKmsKeyArn },
  validatePersonalizeArn: { shape: 'Arn', validate: validatePersonalizeArn, valid: validPersonalizeArn },
};

const botocore = botocoreShapes();
(botocore ? test : test.skip)('the shapes above are those of the botocore Personalize model', () => {
  for (const [name, { pattern, min, max }] of Object.entries(MODEL)) {
    expect({ name, pattern: botocore![name].pattern, min: botocore![name].min ?? 0, max: botocore![name].max }).toEqual({ name, pattern, min, max });
  }
});

describe.each(Object.entries(CASES))('%s', (_name, { shape, validate, valid }) => {
  test(`accepts every value the ${shape} shape of the API model allows`, () => {
    run(fc.property(valid, (value) => {
      expect(modelAccepts(shape, value)).toBe(true);
      expect(() => validate('someProperty', value)).not.toThrow();
    }));
  });

  test(`rejects a value exactly when the ${shape} shape rejects it, naming the property and showing the value`, () => {
    run(fc.property(anything(valid, MODEL[shape].max), (value) => {
      const error = rejection(() => validate('someProperty', value));
      expect(error === undefined).toBe(modelAccepts(shape, value));
      if (error) {
        expect(error.message).toContain('Invalid someProperty');
        expect(error.message).toContain(`'${value}'`);
      }
    }));
  });

  test(`rejects values longer than the ${shape} shape's ${MODEL[shape].max} characters`, () => {
    const tooLong = fc.tuple(valid, chars(LETTERS + DIGITS, MODEL[shape].max, MODEL[shape].max + 40))
      .map(([value, padding]) => (value + padding).slice(0, MODEL[shape].max + 1 + (padding.length % 40)));
    run(fc.property(tooLong, (value) => {
      expect(value.length).toBeGreaterThan(MODEL[shape].max);
      expect(() => validate('someProperty', value)).toThrow(/Invalid someProperty/);
    }));
  });

  test('skips unresolved tokens, which the API checks at deploy time', () => {
    run(fc.property(fc.string({ unit: 'binary' }), (value) => {
      expect(() => validate('someProperty', Lazy.string({ produce: () => value }))).not.toThrow();
    }));
  });
});

describe('tagProblems', () => {
  const tagChars = LETTERS + DIGITS + ' _.:/=+-@' + 'äßñ日本語' + '\u00a0\u3000' + '٣';
  const validKey = chars(tagChars, 1, 128);
  const validValue = chars(tagChars, 0, 256);
  const reserved = (key: string) => key.toLowerCase().startsWith('aws:') || key === OWNER_TAG_KEY;
  const tag = (Key: string, Value: string) => [{ Key, Value }];

  test('accepts every tag the TagKey and TagValue shapes allow, unless the key is reserved', () => {
    run(fc.property(validKey, validValue, (key, value) => {
      expect(modelAccepts('TagKey', key) && modelAccepts('TagValue', value)).toBe(true);
      expect(tagProblems(tag(key, value))).toEqual(reserved(key) ? [expect.stringContaining(`'${key}'`)] : []);
    }));
  });

  test('reports a tag exactly when the model rejects its key or value or the key is reserved', () => {
    run(fc.property(anything(validKey, 128), anything(validValue, 256), (key, value) => {
      const problems = tagProblems(tag(key, value));
      const valid = modelAccepts('TagKey', key) && modelAccepts('TagValue', value) && !reserved(key);
      expect(problems.length === 0).toBe(valid);
      for (const problem of problems) expect(problem).toContain(`'${key}'`);
    }));
  });

  test('rejects keys starting with aws: in any case', () => {
    run(fc.property(fc.mixedCase(fc.constant('aws:')), chars(LETTERS, 0, 20), (prefix, rest) => {
      expect(tagProblems(tag(prefix + rest, 'v'))).toEqual([expect.stringContaining('reserved by AWS')]);
    }));
  });

  test(`accepts up to ${MAX_USER_TAGS} valid tags and reports any more, leaving one for the owner tag`, () => {
    run(fc.property(fc.uniqueArray(validName, { minLength: 0, maxLength: 80 }), (keys) => {
      const problems = tagProblems(keys.map((Key) => ({ Key, Value: 'v' })));
      expect(problems.some((problem) => problem.startsWith('Too many tags'))).toBe(keys.length > MAX_USER_TAGS);
    }));
  });
});
