/**
 * Amazon Personalize filter expressions: a parser and the service's documented
 * rules, so that a bad expression fails `cdk synth` with the position of its first
 * error instead of CreateFilter failing minutes into a deploy.
 *
 * The grammar, as the Personalize developer guide describes it ("Filter expression
 * structure and elements", https://docs.aws.amazon.com/personalize/latest/dg/creating-filter-expressions.html,
 * and the example pages item-recommendation-filter-examples.html, action-recommendation-filter-examples.html
 * and user-segment-filter-examples.html under https://docs.aws.amazon.com/personalize/latest/dg/):
 *
 *   filter     := expression ( '|' expression )*
 *   expression := (INCLUDE | EXCLUDE) (ItemID | ActionID | UserID) WHERE condition ((AND | OR) condition)*
 *                 [ IF userCondition (AND userCondition)* ]
 *   condition  := field (IN | NOT IN) ( '(' value (',' value)* ')' | currentField )
 *               | field (= | != | < | <= | > | >=) ( value | '(' value ')' )
 *   field      := DATASET '.' NAME      DATASET: Items, Users, Interactions, Actions, Action_Interactions,
 *                                       CurrentItem, CurrentUser, CurrentAction
 *   value      := "string" | number | $PARAMETER | currentField
 *   currentField := (CurrentItem | CurrentUser | CurrentAction) '.' NAME
 *
 * `IN CurrentItem.GENRE` without parentheses and `> ($VALUE)` with them are both written so in the
 * guide's own examples. Each rule checked on top of the grammar names its source where it is checked.
 *
 * This file imports nothing from aws-cdk-lib, so the handler could use it too.
 */
import { AvroRecord } from './avro';

/** botocore personalize 2018-05-22, shape FilterExpression: 1-2,500 characters. */
export const FILTER_EXPRESSION_MAX_LENGTH = 2500;
/** botocore personalize-runtime 2018-05-22, shape FilterValues: at most 25 entries, one per placeholder. */
export const MAX_FILTER_PARAMETERS = 25;
/**
 * "The maximum number of distinct dataset fields for a filter, either in one expression or across
 * multiple expressions chained together, is 10" (Guidelines and requirements,
 * https://docs.aws.amazon.com/personalize/latest/dg/filter-expression-guidelines-requirements.html).
 */
export const MAX_FILTER_FIELDS = 10;
/** botocore personalize-runtime, shape FilterAttributeName: at most 50 characters, [A-Za-z0-9_]+. */
const PARAMETER_NAME = /^[A-Za-z0-9_]{1,50}$/;
/** The wildcard value: every event type ("Asterisk (*) character", creating-filter-expressions.html). */
export const FILTER_WILDCARD = '"*"';

/** Dataset names as expressions spell them, to the dataset type whose schema holds the field (current ones: the same data). */
export const FILTER_DATASETS: Record<string, string> = {
  Items: 'Items',
  Users: 'Users',
  Interactions: 'Interactions',
  Actions: 'Actions',
  Action_Interactions: 'Action_Interactions',
  CurrentItem: 'Items',
  CurrentUser: 'Users',
  CurrentAction: 'Actions',
};
/**
 * Other spellings accepted for a dataset. The guide's action example writes
 * `Action.MEMBERSHIP_LEVEL` (action-recommendation-filter-examples.html); a documented example is
 * accepted, so `Action` reads as Actions.
 */
const DATASET_ALIASES: Record<string, string> = { Action: 'Actions' };
const CURRENT = new Set(['CurrentItem', 'CurrentUser', 'CurrentAction']);
const INTERACTION_DATASETS = new Set(['Interactions', 'Action_Interactions']);
/**
 * Personalize filters actions by these fields itself; "You can't create filters that filter based on
 * Action expiration timestamp and Repeat frequency data" (filter-expression-guidelines-requirements.html).
 */
const RESERVED_ACTION_FIELDS = new Set(['ACTION_EXPIRATION_TIMESTAMP', 'REPEAT_FREQUENCY']);
/** "Comparison operators" element of creating-filter-expressions.html, `!=` included. */
const COMPARISONS = ['<=', '>=', '!=', '=', '<', '>'];
/**
 * The datasets a WHERE condition may use for each target: items are filtered by item data and item
 * interactions, actions by action data and action interactions, users (segments) by user data and
 * item interactions; user data reaches item and action filters through IF CurrentUser only
 * (creating-filter-expressions.html, "INCLUDE or EXCLUDE", "ItemID/ActionID/UserID", "CurrentUser.field").
 */
const TARGET_DATASETS: Record<string, string[]> = {
  ItemID: ['Items', 'Interactions'],
  ActionID: ['Actions', 'Action_Interactions'],
  UserID: ['Users', 'Interactions'],
};
const NUMERIC_TYPES = new Set(['int', 'long', 'float', 'double']);

export interface FieldRef {
  /** Canonical spelling, e.g. Items. */
  readonly dataset: string;
  readonly name: string;
  readonly position: number;
}

export interface Operand {
  readonly kind: 'string' | 'number' | 'parameter' | 'field';
  readonly text: string;
  readonly position: number;
  readonly field?: FieldRef;
}

export interface Condition {
  readonly field: FieldRef;
  readonly operator: string;
  readonly values: Operand[];
  readonly position: number;
}

export interface ParsedExpression {
  readonly action: string;
  readonly target: string;
  readonly conditions: Condition[];
  readonly userConditions: Condition[];
  readonly position: number;
}

/** The first problem of an expression, at a 0-based character position. */
export interface FilterProblem {
  readonly position: number;
  readonly message: string;
}

interface Token {
  readonly kind: 'word' | 'string' | 'number' | 'parameter' | 'symbol' | 'end';
  readonly text: string;
  readonly position: number;
}

class Problem extends Error {
  constructor(public readonly position: number, message: string) {
    super(message);
  }
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === '"') {
      const end = text.indexOf('"', i + 1);
      if (end < 0) throw new Problem(i, 'this string has no closing double quote (")');
      tokens.push({ kind: 'string', text: text.slice(i, end + 1), position: i });
      i = end + 1;
    } else if (c === '$') {
      const match = /^\$[A-Za-z0-9_]*/.exec(text.slice(i))![0];
      tokens.push({ kind: 'parameter', text: match, position: i });
      i += match.length;
    } else if (/[-0-9]/.test(c) && /^-?\d/.test(text.slice(i))) {
      const match = /^-?\d+(\.\d+)?/.exec(text.slice(i))![0];
      tokens.push({ kind: 'number', text: match, position: i });
      i += match.length;
    } else if (/[A-Za-z_]/.test(c)) {
      const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i))![0];
      tokens.push({ kind: 'word', text: match, position: i });
      i += match.length;
    } else {
      const symbol = ['<=', '>=', '!=', '(', ')', ',', '|', '.', '=', '<', '>'].find((s) => text.startsWith(s, i));
      if (!symbol) throw new Problem(i, `unexpected character '${c}'`);
      tokens.push({ kind: 'symbol', text: symbol, position: i });
      i += symbol.length;
    }
  }
  tokens.push({ kind: 'end', text: '', position: text.length });
  return tokens;
}

class Parser {
  private index = 0;
  constructor(private readonly tokens: Token[]) {}

  public filter(): ParsedExpression[] {
    const expressions = [this.expression()];
    while (this.peekSymbol('|')) {
      this.index++;
      expressions.push(this.expression());
    }
    const next = this.peek();
    if (next.kind !== 'end') throw new Problem(next.position, `expected AND, OR, IF or | (a further expression), got ${describe(next)}`);
    return expressions;
  }

  private expression(): ParsedExpression {
    const start = this.peek();
    const action = this.keyword(['INCLUDE', 'EXCLUDE'], 'INCLUDE or EXCLUDE');
    const target = this.keyword(['ItemID', 'ActionID', 'UserID'], 'ItemID, ActionID or UserID');
    this.keyword(['WHERE'], 'WHERE');
    const conditions = [this.condition()];
    while (this.peekWord('AND') || this.peekWord('OR')) {
      this.index++;
      conditions.push(this.condition());
    }
    const userConditions: Condition[] = [];
    if (this.peekWord('IF')) {
      this.index++;
      userConditions.push(this.condition());
      while (this.peekWord('AND')) {
        this.index++;
        userConditions.push(this.condition());
      }
    }
    return { action, target, conditions, userConditions, position: start.position };
  }

  private condition(): Condition {
    const field = this.field();
    const next = this.peek();
    let operator: string;
    if (this.peekWord('IN')) {
      this.index++;
      operator = 'IN';
    } else if (this.peekWord('NOT')) {
      this.index++;
      this.keyword(['IN'], 'IN after NOT');
      operator = 'NOT IN';
    } else if (next.kind === 'symbol' && COMPARISONS.includes(next.text)) {
      this.index++;
      // The guide writes `Actions.VALUE > ($VALUE)`: one value, in parentheses or not.
      if (this.peekSymbol('(')) {
        this.index++;
        const value = this.value();
        this.symbol(')');
        return { field, operator: next.text, values: [value], position: field.position };
      }
      return { field, operator: next.text, values: [this.value()], position: field.position };
    } else {
      throw new Problem(next.position, `expected IN, NOT IN or a comparison (=, !=, <, <=, >, >=) after ${field.dataset}.${field.name}, `
        + `got ${describe(next)}`);
    }
    // The guide writes `Items.GENRE IN CurrentItem.GENRE`: a current field needs no parentheses.
    if (this.peekCurrentField()) return { field, operator, values: [this.value()], position: field.position };
    this.symbol('(');
    const values = [this.value()];
    while (this.peekSymbol(',')) {
      this.index++;
      values.push(this.value());
    }
    this.symbol(')');
    return { field, operator, values, position: field.position };
  }

  private field(): FieldRef {
    const dataset = this.peek();
    if (dataset.kind !== 'word') throw new Problem(dataset.position, `expected a dataset field such as Items.GENRE, got ${describe(dataset)}`);
    const canonical = datasetName(dataset.text);
    if (!canonical) {
      throw new Problem(dataset.position, `unknown dataset '${dataset.text}'; expected one of ${Object.keys(FILTER_DATASETS).join(', ')}`);
    }
    this.index++;
    this.symbol('.');
    const name = this.peek();
    if (name.kind !== 'word') throw new Problem(name.position, `expected a field name after '${canonical}.', got ${describe(name)}`);
    this.index++;
    return { dataset: canonical, name: name.text, position: dataset.position };
  }

  private value(): Operand {
    const token = this.peek();
    if (token.kind === 'string' || token.kind === 'number') {
      this.index++;
      return { kind: token.kind, text: token.text, position: token.position };
    }
    if (token.kind === 'parameter') {
      this.index++;
      const name = token.text.slice(1);
      if (!PARAMETER_NAME.test(name)) {
        throw new Problem(token.position, `invalid placeholder '${token.text}': a parameter name is 1-50 letters, digits and underscores`);
      }
      return { kind: 'parameter', text: token.text, position: token.position };
    }
    if (this.peekCurrentField()) {
      const field = this.field();
      return { kind: 'field', text: `${field.dataset}.${field.name}`, position: token.position, field };
    }
    throw new Problem(token.position, 'expected a value: a "quoted string", a number, a $PARAMETER or a CurrentItem., CurrentUser. '
      + `or CurrentAction. field, got ${describe(token)}`);
  }

  private keyword(options: string[], expected: string): string {
    const token = this.peek();
    const match = token.kind === 'word' ? options.find((option) => option.toLowerCase() === token.text.toLowerCase()) : undefined;
    if (!match) throw new Problem(token.position, `expected ${expected}, got ${describe(token)}`);
    this.index++;
    return match;
  }

  private symbol(symbol: string): void {
    const token = this.peek();
    if (token.kind !== 'symbol' || token.text !== symbol) throw new Problem(token.position, `expected '${symbol}', got ${describe(token)}`);
    this.index++;
  }

  private peek(): Token {
    return this.tokens[this.index];
  }

  private peekWord(word: string): boolean {
    const token = this.peek();
    return token.kind === 'word' && token.text.toUpperCase() === word;
  }

  private peekCurrentField(): boolean {
    const token = this.peek();
    return token.kind === 'word' && CURRENT.has(datasetName(token.text) ?? '');
  }

  private peekSymbol(symbol: string): boolean {
    const token = this.peek();
    return token.kind === 'symbol' && token.text === symbol;
  }
}

/** The canonical name of a dataset as an expression spells it (case-insensitive), or undefined. */
function datasetName(text: string): string | undefined {
  const lower = text.toLowerCase();
  const alias = Object.keys(DATASET_ALIASES).find((name) => name.toLowerCase() === lower);
  if (alias) return DATASET_ALIASES[alias];
  return Object.keys(FILTER_DATASETS).find((name) => name.toLowerCase() === lower);
}

function describe(token: Token): string {
  return token.kind === 'end' ? 'the end of the expression' : `'${token.text}'`;
}

/** Parses an expression; a syntax error is returned as the problem at its position. */
export function parseFilterExpression(text: string): { expressions?: ParsedExpression[]; problem?: FilterProblem } {
  if (text.length < 1 || text.length > FILTER_EXPRESSION_MAX_LENGTH) {
    return { problem: { position: Math.min(text.length, FILTER_EXPRESSION_MAX_LENGTH), message: `the expression is ${text.length} characters long; Personalize accepts 1-${FILTER_EXPRESSION_MAX_LENGTH}` } };
  }
  try {
    return { expressions: new Parser(tokenize(text)).filter() };
  } catch (error) {
    if (error instanceof Problem) return { problem: { position: error.position, message: error.message } };
    throw error;
  }
}

/**
 * The first problem of an expression: its syntax, the service's rules, and (for the
 * dataset types in `schemas`, the group's datasets whose schema is known) its fields.
 * `datasetTypes`, when given, are the dataset types the group is known to have.
 * Every message says what the rule is and how to write the expression instead.
 */
export function firstFilterProblem(text: string, schemas: Record<string, AvroRecord | undefined> = {},
  datasetTypes?: ReadonlySet<string>): FilterProblem | undefined {
  const { expressions, problem } = parseFilterExpression(text);
  if (problem) return problem;
  const parameters = new Set<string>();
  const fields = new Set<string>();
  for (const expression of expressions!) {
    const first = expression.conditions[0].field;
    for (const condition of expression.conditions) {
      if (CURRENT.has(condition.field.dataset)) {
        return {
          position: condition.position,
          message: `${condition.field.dataset}.${condition.field.name} can only be a value or follow IF; `
          + 'a WHERE condition starts with a field of Items, Users, Interactions, Actions or Action_Interactions',
        };
      }
      // "Conditions chained together using AND or OR can only affect fields of the dataset used in the first condition."
      if (condition.field.dataset !== first.dataset) {
        return {
          position: condition.position,
          message: 'conditions joined with AND or OR must use the dataset of the first condition '
          + `(${first.dataset}), got ${condition.field.dataset}; join expressions with | to filter by another dataset`,
        };
      }
      // "CurrentUser.field: ... in only an IF condition" (creating-filter-expressions.html).
      const currentUser = condition.values.find((value) => value.field?.dataset === 'CurrentUser');
      if (currentUser) {
        return {
          position: currentUser.position,
          message: `${currentUser.text} can only be used in an IF condition at the end of the expression; `
          + `write the condition on the current user after IF, for example 'IF ${currentUser.text} IN ("...")'`,
        };
      }
    }
    // "Use an IF condition only to check conditions for the CurrentUser" (creating-filter-expressions.html).
    for (const condition of expression.userConditions) {
      if (condition.field.dataset !== 'CurrentUser') {
        return {
          position: condition.position,
          message: `an IF condition tests CurrentUser fields only, got ${condition.field.dataset}.${condition.field.name}; `
          + 'move the condition before IF, joined with AND',
        };
      }
    }
    const targetProblem = targetMismatch(expression.target, first);
    if (targetProblem) return targetProblem;
    for (const condition of [...expression.conditions, ...expression.userConditions]) {
      const rule = conditionProblem(condition, schemas, datasetTypes);
      if (rule) return rule;
      for (const reference of [condition.field, ...condition.values.flatMap((v) => (v.field ? [v.field] : []))]) {
        fields.add(`${FILTER_DATASETS[reference.dataset]}.${reference.name}`);
        if (fields.size > MAX_FILTER_FIELDS) {
          return {
            position: reference.position,
            message: `the filter names more than ${MAX_FILTER_FIELDS} distinct dataset fields, `
            + `Personalize's limit per filter (${[...fields].join(', ')}); split it into several filters`,
          };
        }
      }
      for (const value of condition.values.filter((v) => v.kind === 'parameter')) {
        parameters.add(value.text);
        if (parameters.size > MAX_FILTER_PARAMETERS) {
          return {
            position: value.position,
            message: `more than ${MAX_FILTER_PARAMETERS} distinct placeholder parameters; `
            + `GetRecommendations accepts at most ${MAX_FILTER_PARAMETERS} filter values, so reuse a placeholder or write fixed values`,
          };
        }
      }
    }
  }
  return undefined;
}

function targetMismatch(target: string, first: FieldRef): FilterProblem | undefined {
  const allowed = TARGET_DATASETS[target];
  if (allowed.includes(first.dataset)) return undefined;
  const suggestion = Object.keys(TARGET_DATASETS).find((other) => TARGET_DATASETS[other].includes(first.dataset));
  const users = first.dataset === 'Users' && target !== 'UserID'
    ? '; to filter by the user recommendations are for, add IF CurrentUser.FIELD ... at the end' : '';
  return {
    position: first.position,
    message: `${target} filters by the ${allowed.join(' or ')} dataset, so its WHERE condition cannot use ${first.dataset}; `
    + `use ${suggestion}${users}`,
  };
}

function conditionProblem(condition: Condition, schemas: Record<string, AvroRecord | undefined>,
  datasetTypes?: ReadonlySet<string>): FilterProblem | undefined {
  const { field } = condition;
  const where = `${field.dataset}.${field.name}`;
  // "If you are filtering based on item or action interactions data, you can only filter based on event type."
  if (INTERACTION_DATASETS.has(field.dataset) && field.name !== 'EVENT_TYPE') {
    return {
      position: field.position,
      message: `${where}: an interactions dataset can be filtered by EVENT_TYPE only; use ${field.dataset}.EVENT_TYPE, `
      + 'or filter by item or user metadata in an expression of its own joined with |',
    };
  }
  for (const reference of [field, ...condition.values.flatMap((v) => (v.field ? [v.field] : []))]) {
    if (FILTER_DATASETS[reference.dataset] === 'Actions' && RESERVED_ACTION_FIELDS.has(reference.name)) {
      return {
        position: reference.position,
        message: `${reference.dataset}.${reference.name}: Personalize filters by action expiration and repeat frequency itself; `
        + 'a filter cannot use them, so remove the condition',
      };
    }
  }
  // "Use * only for filter expressions that use the EVENT_TYPE field of an Interactions dataset."
  const wildcard = condition.values.find((value) => value.kind === 'string' && value.text === FILTER_WILDCARD);
  if (wildcard && !(field.dataset === 'Interactions' && field.name === 'EVENT_TYPE' && condition.operator.endsWith('IN'))) {
    return {
      position: wildcard.position,
      message: `"*" (every event type) can only be a value of Interactions.EVENT_TYPE IN or NOT IN, not of ${where} ${condition.operator}; `
      + 'list the values instead',
    };
  }
  // "You can't use placeholder parameters in filter expressions that use the NOT_IN operator."
  if (condition.operator === 'NOT IN') {
    const parameter = condition.values.find((value) => value.kind === 'parameter');
    if (parameter) {
      return {
        position: parameter.position,
        message: `placeholder ${parameter.text} cannot be used with NOT IN; `
        + 'use IN and the opposite action (INCLUDE for EXCLUDE, or the reverse)',
      };
    }
  }
  for (const reference of [field, ...condition.values.flatMap((v) => (v.field ? [v.field] : []))]) {
    const problem = fieldProblem(reference, condition, schemas, datasetTypes);
    if (problem) return problem;
  }
  // "Use =, <, <=, >, >= [and !=] operators to test numerical data."
  if (condition.operator !== 'IN' && condition.operator !== 'NOT IN') {
    const value = condition.values[0];
    if (value.kind === 'string') {
      return {
        position: value.position,
        message: `${where} ${condition.operator} compares numbers; got the string ${value.text}. Write a number, or use IN (${value.text})`,
      };
    }
  }
  return undefined;
}

function fieldProblem(reference: FieldRef, condition: Condition, schemas: Record<string, AvroRecord | undefined>,
  datasetTypes?: ReadonlySet<string>): FilterProblem | undefined {
  const datasetType = FILTER_DATASETS[reference.dataset];
  const where = `${reference.dataset}.${reference.name}`;
  if (datasetTypes && !datasetTypes.has(datasetType)) {
    return {
      position: reference.position,
      message: `${where}: the dataset group has no ${datasetType} dataset. Add ${/^[AEIOU]/.test(datasetType) ? 'an' : 'a'} ${datasetType} dataset whose schema has the field `
      + `${reference.name} (datasetGroup.addDataset), or filter on ${alternativeDatasets(datasetType)} instead`,
    };
  }
  const record = schemas[datasetType];
  if (!record) return undefined;
  const schemaField = record.fields.find((f) => f.name === reference.name);
  if (!schemaField) {
    return {
      position: reference.position,
      message: `${where}: the ${datasetType} schema has no field ${reference.name} `
      + `(fields: ${record.fields.map((f) => f.name).join(', ')}); use one of them, or add the field to the schema`,
    };
  }
  // "You can't create filter expressions that filter using values with a boolean type in your schema."
  if (schemaField.type === 'boolean') {
    return {
      position: reference.position,
      message: `${where} is boolean, and filters cannot use boolean fields; `
      + 'store "True"/"False" in a string field, or 0/1 in an int or long field',
    };
  }
  // "You can't use filters to include or exclude items based on unstructured textual item metadata."
  if (schemaField.textual) {
    return {
      position: reference.position,
      message: `${where} is a textual field, and filters cannot use unstructured text; filter on a categorical string field instead`,
    };
  }
  const numeric = NUMERIC_TYPES.has(schemaField.type);
  const comparison = condition.operator !== 'IN' && condition.operator !== 'NOT IN';
  if (comparison && !numeric && reference === condition.field) {
    return {
      position: reference.position,
      message: `${where} is a ${schemaField.type} field; ${condition.operator} compares numeric `
      + '(int, long, float, double) fields only, use IN or NOT IN',
    };
  }
  if (reference === condition.field && numeric) {
    const text = condition.values.find((value) => value.kind === 'string');
    if (text) return { position: text.position, message: `${where} is a ${schemaField.type} field; got the string ${text.text}. Write it as a number` };
  }
  if (reference === condition.field && !numeric) {
    const number = condition.values.find((value) => value.kind === 'number');
    if (number) {
      return { position: number.position, message: `${where} is a ${schemaField.type} field; quote the value as "${number.text}"` };
    }
  }
  return undefined;
}

/** Where else the data a missing dataset would hold can be filtered, for the fix in a message. */
function alternativeDatasets(datasetType: string): string {
  switch (datasetType) {
    case 'Users': return 'Items or Interactions';
    case 'Items': return 'Interactions';
    case 'Interactions': return 'Items';
    case 'Actions': return 'Action_Interactions';
    default: return 'Actions';
  }
}

/** `message at character N: …TEXT…`, with a caret under the position. */
export function describeFilterProblem(text: string, problem: FilterProblem): string {
  const start = Math.max(0, problem.position - 30);
  const excerpt = text.slice(start, problem.position + 30);
  const lead = start > 0 ? '…' : '';
  return `${problem.message} (at character ${problem.position + 1}: '${lead}${excerpt}${problem.position + 30 < text.length ? '…' : ''}')`;
}
