import { Token } from 'aws-cdk-lib';

/**
 * What a filter expression keeps or removes from recommendations.
 */
export enum FilterAction {
  /** Recommend only what matches. */
  INCLUDE = 'INCLUDE',
  /** Remove what matches from recommendations. */
  EXCLUDE = 'EXCLUDE',
}

/**
 * What a filter expression filters.
 */
export enum FilterTarget {
  /** Items, in item recommendations. */
  ITEMS = 'ItemID',
  /** Actions, in action recommendations. */
  ACTIONS = 'ActionID',
  /** Users, in user segments. */
  USERS = 'UserID',
}

/**
 * A dataset field named in a filter expression, such as `Items.GENRE`.
 */
export class FilterField {
  /** A field of the Items dataset. */
  public static items(name: string): FilterField {
    return new FilterField('Items', name);
  }

  /** A field of the Users dataset. */
  public static users(name: string): FilterField {
    return new FilterField('Users', name);
  }

  /** A field of the Actions dataset. */
  public static actions(name: string): FilterField {
    return new FilterField('Actions', name);
  }

  /** The EVENT_TYPE of the Interactions dataset: the only interactions field a filter can use. */
  public static interactionsEventType(): FilterField {
    return new FilterField('Interactions', 'EVENT_TYPE');
  }

  /** The EVENT_TYPE of the Action_Interactions dataset. */
  public static actionInteractionsEventType(): FilterField {
    return new FilterField('Action_Interactions', 'EVENT_TYPE');
  }

  /** A field of the item recommendations are related to (related-items recipes), as a value. */
  public static currentItem(name: string): FilterField {
    return new FilterField('CurrentItem', name);
  }

  /** A field of the user recommendations are for, as a value or in an IF condition. */
  public static currentUser(name: string): FilterField {
    return new FilterField('CurrentUser', name);
  }

  private constructor(
    /** The dataset, as expressions spell it. */
    public readonly dataset: string,
    /** The field name. */
    public readonly name: string,
  ) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw new Error(`Invalid filter field name: '${name}'. A field name is an Avro name: letters, digits and _, not starting with a digit.`);
    }
  }

  /** `DATASET.FIELD`. */
  public toString(): string {
    return `${this.dataset}.${this.name}`;
  }
}

/**
 * A value in a filter condition.
 */
export class FilterValue {
  /** A string, written in double quotes. */
  public static literal(value: string): FilterValue {
    if (value.includes('"')) throw new Error(`Invalid filter value: '${value}'. A filter string cannot contain a double quote (").`);
    return new FilterValue(`"${value}"`);
  }

  /** A number. */
  public static numeric(value: number): FilterValue {
    if (!Number.isFinite(value)) throw new Error(`Invalid filter value: ${value}. Expected a finite number.`);
    return new FilterValue(String(value));
  }

  /**
   * A placeholder, `$NAME`, whose value each GetRecommendations call gives in
   * `filterValues`. Not allowed with NOT IN.
   */
  public static parameter(name: string): FilterValue {
    if (!/^[A-Za-z0-9_]{1,50}$/.test(name)) {
      throw new Error(`Invalid filter parameter name: '${name}'. A parameter name is 1-50 letters, digits and underscores.`);
    }
    return new FilterValue(`$${name}`);
  }

  /** A field of the current item or user, such as `CurrentItem.GENRE`. */
  public static field(field: FilterField): FilterValue {
    return new FilterValue(field.toString());
  }

  private constructor(
    /** The value as the expression writes it. */
    public readonly text: string,
  ) {}
}

/**
 * A condition of a filter expression; join several with `andAlso` or `orElse`.
 */
export class FilterCondition {
  /** `FIELD IN (VALUES)`. */
  public static isIn(field: FilterField, values: FilterValue[]): FilterCondition {
    return FilterCondition.list(field, 'IN', values);
  }

  /** `FIELD NOT IN (VALUES)`. */
  public static notIn(field: FilterField, values: FilterValue[]): FilterCondition {
    return FilterCondition.list(field, 'NOT IN', values);
  }

  /** `FIELD = VALUE`, for numeric fields. */
  public static equalTo(field: FilterField, value: FilterValue): FilterCondition {
    return new FilterCondition(`${field} = ${value.text}`);
  }

  /** `FIELD < VALUE`, for numeric fields. */
  public static lessThan(field: FilterField, value: FilterValue): FilterCondition {
    return new FilterCondition(`${field} < ${value.text}`);
  }

  /** `FIELD <= VALUE`, for numeric fields. */
  public static lessThanOrEqualTo(field: FilterField, value: FilterValue): FilterCondition {
    return new FilterCondition(`${field} <= ${value.text}`);
  }

  /** `FIELD > VALUE`, for numeric fields. */
  public static greaterThan(field: FilterField, value: FilterValue): FilterCondition {
    return new FilterCondition(`${field} > ${value.text}`);
  }

  /** `FIELD >= VALUE`, for numeric fields. */
  public static greaterThanOrEqualTo(field: FilterField, value: FilterValue): FilterCondition {
    return new FilterCondition(`${field} >= ${value.text}`);
  }

  private static list(field: FilterField, operator: string, values: FilterValue[]): FilterCondition {
    if (values.length === 0) throw new Error(`Invalid filter condition: ${field} ${operator} needs at least one value.`);
    return new FilterCondition(`${field} ${operator} (${values.map((value) => value.text).join(', ')})`);
  }

  private constructor(
    /** The condition as the expression writes it. */
    public readonly text: string,
  ) {}

  /** This condition AND another, of the same dataset. */
  public andAlso(other: FilterCondition): FilterCondition {
    return new FilterCondition(`${this.text} AND ${other.text}`);
  }

  /** This condition OR another, of the same dataset. */
  public orElse(other: FilterCondition): FilterCondition {
    return new FilterCondition(`${this.text} OR ${other.text}`);
  }
}

/**
 * Options of a built filter expression.
 */
export interface FilterExpressionOptions {
  /**
   * A condition on the current user (`IF CurrentUser.AGE > 18`) that the expression
   * applies under.
   * @default - the expression always applies
   */
  readonly ifCurrentUser?: FilterCondition;
}

/**
 * Options of an expression written as text.
 */
export interface FilterTextOptions {
  /**
   * Create the filter even if the synth checks refuse the expression.
   *
   * **Warning:** the checks follow AWS's documentation (grammar, the rules of the
   * Personalize developer guide, the fields of the group's schemas). Skip them only
   * when you know Personalize accepts what they refuse, for example a rule AWS has
   * relaxed since. An expression Personalize does refuse then fails CreateFilter
   * minutes into the deploy. What the checks found is still printed at synth, as a
   * warning with the id `cdk-personalize:checkSkipped`.
   *
   * @default false
   */
  readonly skipChecks?: boolean;
}

/**
 * The expression of a filter: written as text, or built from conditions. Every
 * expression is checked when the filter is synthesized; `fromText(text, { skipChecks: true })`
 * turns the refusals into warnings.
 */
export class FilterExpression {
  /**
   * An expression written as text, e.g. `EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("purchase")`.
   *
   * @param text the expression
   * @param options `skipChecks: true` creates the filter even if the synth checks refuse it (with a warning)
   */
  public static fromText(text: string, options: FilterTextOptions = {}): FilterExpression {
    return new FilterExpression(text, options.skipChecks ?? false);
  }

  /** `INCLUDE TARGET WHERE CONDITION`. */
  public static include(target: FilterTarget, where: FilterCondition, options: FilterExpressionOptions = {}): FilterExpression {
    return FilterExpression.build(FilterAction.INCLUDE, target, where, options);
  }

  /** `EXCLUDE TARGET WHERE CONDITION`. */
  public static exclude(target: FilterTarget, where: FilterCondition, options: FilterExpressionOptions = {}): FilterExpression {
    return FilterExpression.build(FilterAction.EXCLUDE, target, where, options);
  }

  /**
   * Expressions applied one after another (joined with `|`): the way to filter by
   * more than one dataset, such as interactions and then items. The chain skips the
   * synth checks if any of its expressions does (`fromText` with `skipChecks: true`).
   */
  public static chain(...expressions: FilterExpression[]): FilterExpression {
    if (expressions.length === 0) throw new Error('FilterExpression.chain needs at least one expression.');
    if (expressions.some((expression) => Token.isUnresolved(expression.text))) {
      throw new Error('FilterExpression.chain cannot join expressions that are tokens; write the whole expression with fromText.');
    }
    return new FilterExpression(expressions.map((expression) => expression.text).join(' | '),
      expressions.some((expression) => expression.skipChecks));
  }

  private static build(action: FilterAction, target: FilterTarget, where: FilterCondition, options: FilterExpressionOptions): FilterExpression {
    const condition = options.ifCurrentUser ? ` IF ${options.ifCurrentUser.text}` : '';
    return new FilterExpression(`${action} ${target} WHERE ${where.text}${condition}`);
  }

  private constructor(
    /** The expression text. */
    public readonly text: string,
    /** Whether the synth checks' refusals are only warnings (`fromText` with `skipChecks: true`). */
    public readonly skipChecks: boolean = false,
  ) {}
}
