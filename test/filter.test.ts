import { CfnResource, Stack, Tags } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import {
  DatasetGroup, DatasetType, Filter, FilterCondition, FilterExpression, FilterField, FilterTarget, FilterValue, SchemaField,
} from '../src';
import { coversAction, grantedOn, ownedGrant } from './support/handler-grants';
import { ACCOUNT, newStack, REGION, retailGroup } from './support/stack-fixtures';
import { firstFilterProblem } from '../src/personalize/private/filter-grammar';

/** A group with Interactions, Items (GENRE categorical, PRICE float, IN_STOCK boolean, DESCRIPTION textual) and Users (AGE int). */
function retail(stack: Stack): DatasetGroup {
  return retailGroup(stack, {
    [DatasetType.INTERACTIONS]: [SchemaField.stringField('USER_ID'), SchemaField.stringField('ITEM_ID'),
      SchemaField.longField('TIMESTAMP'), SchemaField.stringField('EVENT_TYPE')],
    [DatasetType.ITEMS]: [SchemaField.stringField('ITEM_ID'), SchemaField.stringField('GENRE').categorical(),
      SchemaField.floatField('PRICE'), SchemaField.booleanField('IN_STOCK'), SchemaField.stringField('DESCRIPTION').textual()],
    [DatasetType.USERS]: [SchemaField.stringField('USER_ID'), SchemaField.intField('AGE')],
  });
}

function filterProperties(stack: Stack): Record<string, any> {
  return Object.values(Template.fromStack(stack).findResources('Custom::PersonalizeFilter'))[0].Properties;
}

describe('FilterExpression builder', () => {
  test('renders the common cases as valid text', () => {
    const purchased = FilterExpression.exclude(FilterTarget.ITEMS,
      FilterCondition.isIn(FilterField.interactionsEventType(), [FilterValue.literal('purchase')]));
    const genre = FilterExpression.include(FilterTarget.ITEMS,
      FilterCondition.isIn(FilterField.items('GENRE'), [FilterValue.parameter('GENRE')])
        .andAlso(FilterCondition.lessThanOrEqualTo(FilterField.items('PRICE'), FilterValue.numeric(100))),
      { ifCurrentUser: FilterCondition.greaterThanOrEqualTo(FilterField.currentUser('AGE'), FilterValue.numeric(18)) });
    const related = FilterExpression.include(FilterTarget.ITEMS,
      FilterCondition.isIn(FilterField.items('GENRE'), [FilterValue.field(FilterField.currentItem('GENRE'))]));

    expect(purchased.text).toBe('EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("purchase")');
    expect(genre.text).toBe('INCLUDE ItemID WHERE Items.GENRE IN ($GENRE) AND Items.PRICE <= 100 IF CurrentUser.AGE >= 18');
    expect(FilterExpression.chain(purchased, related).text)
      .toBe('EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("purchase") | INCLUDE ItemID WHERE Items.GENRE IN (CurrentItem.GENRE)');
    for (const expression of [purchased, genre, related, FilterExpression.chain(purchased, genre)]) {
      expect(firstFilterProblem(expression.text)).toBeUndefined();
    }
  });

  test.each([
    ['a field name that is not an Avro name', () => FilterField.items('1GENRE'), /^Invalid filter field name: '1GENRE'/],
    ['a string with a double quote', () => FilterValue.literal('a"b'), /^Invalid filter value: 'a"b'. A filter string cannot contain a double quote/],
    ['a number that is not finite', () => FilterValue.numeric(Infinity), /^Invalid filter value: Infinity. Expected a finite number/],
    ['an invalid parameter name', () => FilterValue.parameter('my-genre'), /^Invalid filter parameter name: 'my-genre'/],
    ['IN without values', () => FilterCondition.isIn(FilterField.items('GENRE'), []), /^Invalid filter condition: Items.GENRE IN needs at least one value/],
    ['chaining nothing', () => FilterExpression.chain(), /^FilterExpression.chain needs at least one expression/],
  ])('refuses %s', (_name, build, message) => {
    expect(build).toThrow(message);
  });
});

describe('filter expression rules', () => {
  test.each([
    ['the length limit', 'x'.repeat(2501), /^the expression is 2501 characters long; Personalize accepts 1-2500$/, 2500],
    ['an unclosed string', 'INCLUDE ItemID WHERE Items.GENRE IN ("comedy)', /^this string has no closing double quote/, 37],
    ['an unexpected character', 'INCLUDE ItemID WHERE Items.GENRE IN ("a") ; x', /^unexpected character ';'/, 42],
    ['text after an expression', 'INCLUDE ItemID WHERE Items.GENRE IN ("a") Items.X', /^expected AND, OR, IF or \| \(a further expression\), got 'Items'/, 42],
    ['a missing INCLUDE or EXCLUDE', 'KEEP ItemID WHERE Items.GENRE IN ("a")', /^expected INCLUDE or EXCLUDE, got 'KEEP'/, 0],
    ['a wrong target', 'INCLUDE Item WHERE Items.GENRE IN ("a")', /^expected ItemID, ActionID or UserID, got 'Item'/, 8],
    ['a missing WHERE', 'INCLUDE ItemID Items.GENRE IN ("a")', /^expected WHERE, got 'Items'/, 15],
    ['a missing operator', 'INCLUDE ItemID WHERE Items.GENRE ("a")', /^expected IN, NOT IN or a comparison \(=, !=, <, <=, >, >=\) after Items.GENRE, got '\('/, 33],
    ['NOT without IN', 'INCLUDE ItemID WHERE Items.GENRE NOT ("a")', /^expected IN after NOT, got '\('/, 37],
    ['a value where a field belongs', 'INCLUDE ItemID WHERE "a" IN ("a")', /^expected a dataset field such as Items.GENRE, got '"a"'/, 21],
    ['an unknown dataset', 'INCLUDE ItemID WHERE Products.GENRE IN ("a")', /^unknown dataset 'Products'; expected one of Items, Users/, 21],
    ['a missing field name', 'INCLUDE ItemID WHERE Items.) IN ("a")', /^expected a field name after 'Items.', got '\)'/, 27],
    ['an invalid placeholder', 'INCLUDE ItemID WHERE Items.GENRE IN ($)', /^invalid placeholder '\$': a parameter name is 1-50 letters/, 37],
    ['a missing value', 'INCLUDE ItemID WHERE Items.GENRE IN ()', /^expected a value: a "quoted string", a number, a \$PARAMETER/, 37],
    ['a missing parenthesis', 'INCLUDE ItemID WHERE Items.GENRE IN "a"', /^expected '\(', got '"a"'/, 36],
    ['a current field as the condition', 'INCLUDE ItemID WHERE CurrentItem.GENRE IN ("a")', /^CurrentItem.GENRE can only be a value or follow IF/, 21],
    ['AND across datasets', 'INCLUDE ItemID WHERE Items.GENRE IN ("a") AND Users.AGE > 3',
      /^conditions joined with AND or OR must use the dataset of the first condition \(Items\), got Users; join expressions with \|/, 46],
    ['an IF on another dataset', 'INCLUDE ItemID WHERE Items.GENRE IN ("a") IF Items.PRICE > 3', /^an IF condition tests CurrentUser fields only, got Items.PRICE/, 45],
    ['ItemID with an actions dataset', 'INCLUDE ItemID WHERE Actions.VALUE > 3', /^ItemID filters by the Items or Interactions dataset, so its WHERE condition cannot use Actions; use ActionID/, 21],
    ['ActionID with an items dataset', 'INCLUDE ActionID WHERE Items.GENRE IN ("a")', /^ActionID filters by the Actions or Action_Interactions dataset, so its WHERE condition cannot use Items; use ItemID/, 23],
    ['an interactions field other than EVENT_TYPE', 'EXCLUDE ItemID WHERE Interactions.EVENT_VALUE IN ("1")',
      /^Interactions.EVENT_VALUE: an interactions dataset can be filtered by EVENT_TYPE only/, 21],
    ['an action expiration field', 'INCLUDE ActionID WHERE Actions.REPEAT_FREQUENCY > 3', /^Actions.REPEAT_FREQUENCY: Personalize filters by action expiration and repeat frequency itself/, 23],
    ['ItemID with the Users dataset', 'INCLUDE ItemID WHERE Users.AGE > 3',
      /^ItemID filters by the Items or Interactions dataset, so its WHERE condition cannot use Users; use UserID; to filter by the user recommendations are for, add IF CurrentUser/, 21],
    ['UserID with the Items dataset', 'INCLUDE UserID WHERE Items.GENRE IN ("a")', /^UserID filters by the Users or Interactions dataset, so its WHERE condition cannot use Items; use ItemID/, 21],
    ['CurrentUser as a value in WHERE', 'INCLUDE ItemID WHERE Items.GENRE IN (CurrentUser.GENRE)',
      /^CurrentUser.GENRE can only be used in an IF condition at the end of the expression/, 37],
    ['a wildcard on a metadata field', 'INCLUDE ItemID WHERE Items.GENRE IN ("*")', /^"\*" \(every event type\) can only be a value of Interactions.EVENT_TYPE IN or NOT IN, not of Items.GENRE IN/, 37],
    ['a wildcard on action interactions', 'EXCLUDE ActionID WHERE Action_Interactions.EVENT_TYPE IN ("*")', /^"\*" \(every event type\) can only be a value of Interactions.EVENT_TYPE/, 58],
    ['a repeat frequency as a current action value', 'INCLUDE ActionID WHERE Actions.VALUE > CurrentAction.REPEAT_FREQUENCY',
      /^CurrentAction.REPEAT_FREQUENCY: Personalize filters by action expiration and repeat frequency itself/, 39],
    ['a string compared with !=', 'INCLUDE ItemID WHERE Items.PRICE != "3"', /^Items.PRICE != compares numbers; got the string "3". Write a number, or use IN \("3"\)/, 36],
    ['two values in parentheses after a comparison', 'INCLUDE ActionID WHERE Actions.VALUE > ($A, $B)', /^expected '\)', got ','/, 42],
    ['a placeholder with NOT IN', 'INCLUDE ItemID WHERE Items.GENRE NOT IN ($G)', /^placeholder \$G cannot be used with NOT IN; use IN and the opposite action/, 41],
    ['a string compared with <', 'INCLUDE ItemID WHERE Items.PRICE < "3"', /^Items.PRICE < compares numbers; got the string "3"/, 35],
    ['more than 10 fields', `INCLUDE ItemID WHERE ${Array.from({ length: 11 }, (_, i) => `Items.F${i} IN ("a")`).join(' AND ')}`,
      /^the filter names more than 10 distinct dataset fields, Personalize's limit per filter/, 241],
    ['more than 25 parameters', `INCLUDE ItemID WHERE Items.GENRE IN (${Array.from({ length: 26 }, (_, i) => `$P${i}`).join(', ')})`,
      /^more than 25 distinct placeholder parameters; GetRecommendations accepts at most 25 filter values/, 177],
  ])('reports %s at its position', (_name, expression, message, position) => {
    const problem = firstFilterProblem(expression);
    expect(problem?.message).toMatch(message);
    expect(problem?.position).toBe(position);
  });

  test.each([
    'INCLUDE ItemID WHERE Items.GENRE IN ("comedy", "drama")',
    'EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("purchase", "click")',
    'INCLUDE ItemID WHERE Items.PRICE >= 10 AND Items.PRICE < $MAX',
    'INCLUDE ItemID WHERE Items.GENRE IN ($GENRE) OR Items.GENRE NOT IN ("horror") IF CurrentUser.AGE > 18 AND CurrentUser.AGE <= 65',
    'include itemid where items.GENRE in ("a")',
    'INCLUDE ActionID WHERE Actions.VALUE > 3 | EXCLUDE ActionID WHERE Action_Interactions.EVENT_TYPE IN ("taken")',
    'INCLUDE UserID WHERE Users.AGE > 18',
    'INCLUDE ItemID WHERE Items.PRICE < CurrentItem.PRICE',
    // The issue's three refusals of valid input, each written as AWS's guide writes it.
    'INCLUDE ItemID WHERE Items.PRICE < CurrentItem.PRICE AND Items.GENRE IN CurrentItem.GENRE',
    'INCLUDE ItemID WHERE Items.PRICE != 3',
    'INCLUDE ActionID WHERE Actions.VALUE > ($VALUE)',
    'EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("*")',
    'INCLUDE ActionID WHERE Action.MEMBERSHIP_LEVEL IN ("Premium") IF CurrentUser.MEMBERSHIP = $PREMIUM',
  ])('accepts %s', (expression) => {
    expect(firstFilterProblem(expression)).toBeUndefined();
  });
});

describe('Filter', () => {
  const genre = FilterExpression.include(FilterTarget.ITEMS, FilterCondition.isIn(FilterField.items('GENRE'), [FilterValue.parameter('GENRE')]));

  test('synthesizes a custom resource with the expression and a generated name that changes with the expression', () => {
    const nameOf = (expression: FilterExpression) => {
      const stack = newStack();
      new Filter(stack, 'Genre', { datasetGroup: retail(stack), expression });
      return filterProperties(stack);
    };
    const properties = nameOf(genre);

    expect(properties.FilterExpression).toBe('INCLUDE ItemID WHERE Items.GENRE IN ($GENRE)');
    expect(properties.Name).toMatch(/^TestStack_Genre-[0-9a-f]{8}$/);
    expect(nameOf(genre).Name).toBe(properties.Name);
    expect(nameOf(FilterExpression.fromText('EXCLUDE ItemID WHERE Items.GENRE IN ("horror")')).Name).not.toBe(properties.Name);
  });

  test('is created after every dataset of its group, so it is deleted before them', () => {
    const stack = newStack();
    const group = retail(stack);
    const filter = new Filter(stack, 'Genre', { datasetGroup: group, expression: genre });

    const template = Template.fromStack(stack).toJSON();
    const filterId = stack.getLogicalId(filter.node.findChild('Resource').node.defaultChild as CfnResource);
    const datasetIds = ['Interactions', 'Items', 'Users']
      .map((id) => stack.getLogicalId(group.node.findChild(id).node.findChild('Resource').node.defaultChild as CfnResource));
    expect(template.Resources[filterId].DependsOn).toEqual(expect.arrayContaining(datasetIds));
  });

  test('rejects an expression with a syntax error at once, with its position', () => {
    const stack = newStack();
    expect(() => new Filter(stack, 'Bad', { datasetGroup: retail(stack), expression: FilterExpression.fromText('INCLUDE ItemID WHERE Items.GENRE IN "a"') }))
      .toThrow('Invalid expression of filter \'TestStack/Bad\': expected \'(\', got \'"a"\' (at character 37: \'…E ItemID WHERE Items.GENRE IN "a"\').');
  });

  test.each([
    ['a dataset the group lacks', 'INCLUDE ActionID WHERE Actions.VALUE > 3',
      'Actions.VALUE: the dataset group has no Actions dataset. Add an Actions dataset whose schema has the field VALUE (datasetGroup.addDataset), '
      + 'or filter on Action_Interactions instead'],
    ['a field the schema lacks', 'INCLUDE ItemID WHERE Items.COLOR IN ("red")',
      'Items.COLOR: the Items schema has no field COLOR (fields: ITEM_ID, GENRE, PRICE, IN_STOCK, DESCRIPTION)'],
    ['a boolean field', 'INCLUDE ItemID WHERE Items.IN_STOCK IN ("True")', 'Items.IN_STOCK is boolean, and filters cannot use boolean fields'],
    ['a textual field', 'INCLUDE ItemID WHERE Items.DESCRIPTION IN ("x")', 'Items.DESCRIPTION is a textual field, and filters cannot use unstructured text'],
    ['a comparison on a string field', 'INCLUDE ItemID WHERE Items.GENRE > 3', 'Items.GENRE is a string field; > compares numeric (int, long, float, double) fields only'],
    ['a string for a numeric field', 'INCLUDE ItemID WHERE Items.PRICE IN ("3")', 'Items.PRICE is a float field; got the string "3"'],
    ['a number for a string field', 'INCLUDE ItemID WHERE Items.GENRE IN (3)', 'Items.GENRE is a string field; quote the value as "3"'],
    ['a current field the schema lacks', 'INCLUDE ItemID WHERE Items.GENRE IN (CurrentItem.COLOR)', 'CurrentItem.COLOR: the Items schema has no field COLOR'],
  ])('fails synth for %s in the group\'s schemas', (_name, expression, message) => {
    const stack = newStack();
    new Filter(stack, 'Bad', { datasetGroup: retail(stack), expression: FilterExpression.fromText(expression) });

    expect(() => Template.fromStack(stack)).toThrow(`Invalid expression of filter 'TestStack/Bad': ${message}`);
  });

  test('with skipChecks, a refused expression is synthesized and what the checks found is a checkSkipped warning', () => {
    const stack = newStack();
    const text = 'INCLUDE ItemID WHERE Items.COLOR IN ("red") | INCLUDE ItemID WHERE Items.GENRE IN "a"';
    new Filter(stack, 'Trusted', { datasetGroup: retail(stack), expression: FilterExpression.fromText(text, { skipChecks: true }) });

    expect(filterProperties(stack).FilterExpression).toBe(text);
    const warnings = Annotations.fromStack(stack).findWarning('/TestStack/Trusted', Match.stringLikeRegexp('cdk-personalize:checkSkipped'));
    expect(warnings.map((w) => w.entry.data)).toEqual([expect.stringContaining(
      'Check skipped (skipChecks: true), Personalize or Rekognition may refuse this at deploy: Invalid expression of filter \'TestStack/Trusted\': '
      + 'expected \'(\', got \'"a"\' (at character 83')]);
  });

  test('without skipChecks, an expression text is checked: fromText defaults to checking', () => {
    expect(FilterExpression.fromText('INCLUDE ItemID WHERE Items.GENRE IN ("a")').skipChecks).toBe(false);
    expect(FilterExpression.chain(FilterExpression.fromText('A', { skipChecks: true }), FilterExpression.fromText('B')).skipChecks).toBe(true);
  });

  test('checks fields only against schemas it knows: an imported group\'s datasets are not checked', () => {
    const stack = newStack();
    const group = DatasetGroup.fromDatasetGroupName(stack, 'Imported', 'shared');
    new Filter(stack, 'Genre', { datasetGroup: group, expression: FilterExpression.fromText('INCLUDE ActionID WHERE Actions.ANYTHING IN ("x")') });

    expect(() => Template.fromStack(stack)).not.toThrow();
  });

  test('rejects an invalid filterName', () => {
    const stack = newStack();
    expect(() => new Filter(stack, 'Bad', { datasetGroup: retail(stack), expression: genre, filterName: 'a b' }))
      .toThrow(/^Invalid filterName: 'a b' \(3 characters\)/);
  });

  test('rejects an explicit filterName used twice in one account and region', () => {
    const stack = newStack();
    const group = retail(stack);
    new Filter(stack, 'A', { datasetGroup: group, expression: genre, filterName: 'genre' });

    expect(() => new Filter(stack, 'B', { datasetGroup: group, expression: genre, filterName: 'genre' }))
      .toThrow(/^Invalid filterName: 'genre' is already the filterName of 'TestStack\/A'/);
  });

  test('imports a filter by ARN, refusing another resource type, and grants on it', () => {
    const stack = newStack();
    const filter = Filter.fromFilterArn(stack, 'Imported', `arn:aws:personalize:${REGION}:${ACCOUNT}:filter/genre`);
    const role = new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
    filter.grantRead(role);

    expect(filter.filterName).toBe('genre');
    expect(() => Filter.fromFilterArn(stack, 'Wrong', `arn:aws:personalize:${REGION}:${ACCOUNT}:campaign/x`))
      .toThrow('Invalid filterArn: \'arn:aws:personalize:us-east-1:123456789012:campaign/x\' is a Personalize \'campaign\' ARN, not a filter ARN (…:filter/NAME).');
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [{ Action: 'personalize:DescribeFilter', Resource: `arn:aws:personalize:${REGION}:${ACCOUNT}:filter/genre` }] },
    });
  });

  test('tags reach the filter', () => {
    const stack = newStack();
    const filter = new Filter(stack, 'Genre', { datasetGroup: retail(stack), expression: genre });
    Tags.of(filter).add('team', 'recs');

    expect(filterProperties(stack).Tags).toEqual([{ Key: 'team', Value: 'recs' }]);
  });

  test('grants the handler the filter actions by the stack\'s generated-name pattern, CreateFilter on the group, and deletes of its own filters', () => {
    const stack = newStack();
    new Filter(stack, 'Genre', { datasetGroup: retail(stack), expression: genre });

    const template = Template.fromStack(stack);
    expect(JSON.stringify(grantedOn(template, 'personalize:DescribeFilter'))).toContain(`:personalize:${REGION}:${ACCOUNT}:filter/TestStack_*`);
    expect(JSON.stringify(grantedOn(template, 'personalize:CreateFilter'))).toContain(':dataset-group/retail');
    expect(coversAction(ownedGrant(template, 'personalize'), 'personalize:DeleteFilter')).toBe(true);
  });
});
