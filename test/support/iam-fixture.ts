/**
 * A synthesized stack under local IAM, as the IAM tests use it: its roles by what they
 * run, the properties and ARNs of its custom resources (as if deployed), and calls
 * authorized with the request context the services would give.
 */
import { OWNER_TAG_KEY } from '../../src/private/contract';
import { SynthesizedStack } from '../harness/stacks';
import { StackIdentity, StackTemplate } from '../harness/template';
import { DEFAULT_IDENTITY, LocalIam, plausibleDeployment, withServiceArns } from '../local-iam';

export type Call = [service: string, operation: string, body: Record<string, unknown>];

export class IamFixture {
  public static async of(stack: SynthesizedStack, stackName: string): Promise<IamFixture> {
    const identity: StackIdentity = { ...DEFAULT_IDENTITY, stackName, stackId: DEFAULT_IDENTITY.stackId.replace('LifecycleStack', stackName) };
    const deployed = plausibleDeployment(stack.template, identity);
    return new IamFixture(stack, identity, deployed, await LocalIam.forTemplate(stack.template, { identity, deployed }));
  }

  /** Tags each ARN holds, for `aws:ResourceTag/*`; a test sets those of resources made outside the stack. */
  public readonly tags = new Map<string, Record<string, string>>();
  private readonly template: StackTemplate;

  private constructor(
    public readonly stack: SynthesizedStack,
    public readonly identity: StackIdentity,
    private readonly deployed: ReturnType<typeof plausibleDeployment>,
    public readonly iam: LocalIam,
  ) {
    this.template = new StackTemplate(withServiceArns(stack.template));
  }

  /** The role both handler functions run as. */
  public get handler(): string {
    return this.roleStartingWith('CdkPersonalizeProviderHandlerRole');
  }

  /** The role of the long wait's function, which looks at training and imports. */
  public get longWait(): string {
    return this.roleStartingWith('CdkPersonalizeProviderLongWaitRole');
  }

  /** The role of the long wait's state machine, which calls that function. */
  public get longWaitStateMachine(): string {
    return this.roleStartingWith('CdkPersonalizeProviderLongWaitStateMachineRole');
  }

  /** The ARN of the long wait's function, as the harness names functions. */
  public get longWaitFunctionArn(): string {
    const [logicalId] = Object.entries(this.stack.template.Resources)
      .find(([id, resource]) => resource.Type === 'AWS::Lambda::Function' && id.startsWith('CdkPersonalizeProviderLongWaitFunction')) ?? [];
    if (!logicalId) throw new Error('No long wait function in the stack');
    return `arn:${this.identity.partition}:lambda:${this.identity.region}:${this.identity.account}:function:${logicalId}`;
  }

  /** A role of the app's own, by the ID of its construct ('Api'). */
  public appRole(id: string): string {
    return this.roleStartingWith(id);
  }

  public logicalId(path: string): string {
    const id = this.stack.logicalIds[path];
    if (!id) throw new Error(`No custom resource at ${path} (paths: ${Object.keys(this.stack.logicalIds).join(', ')})`);
    return id;
  }

  /** The custom resource's properties, as CloudFormation sends them. */
  public props(path: string): Record<string, any> {
    return this.template.resolveProperties(this.logicalId(path), this.identity, this.deployed);
  }

  public arn(path: string): string {
    return this.deployed(this.logicalId(path))!.data.Arn as string;
  }

  /** The owner tag value the handler gives the resource at `path`. */
  public owner(path: string): string {
    return `${this.identity.stackName}/${this.logicalId(path)}`;
  }

  /** Records that the resource at `path` holds its owner tag (and the stack's tags), as after the handler created it. */
  public created(...paths: string[]): this {
    for (const path of paths) this.tags.set(this.arn(path), { [OWNER_TAG_KEY]: this.owner(path), 'cost-center': 'recommendations' });
    return this;
  }

  /** The denials of each call, as AWS would word them; empty when every call is allowed. */
  public denials(principal: string, ...calls: Call[]): string[] {
    return calls.flatMap(([service, operation, body]) => this.iam.authorizeCall(principal, service, operation, body, (arn) => this.tags.get(arn))
      .filter((decision) => !decision.allowed)
      .map((decision) => `${operation}: ${decision.message}; granted on ${JSON.stringify(decision.grantedOn)}`));
  }

  private roleStartingWith(prefix: string): string {
    const role = this.iam.policies.roles().find((candidate) => candidate.logicalId.startsWith(prefix));
    if (!role) throw new Error(`No role ${prefix}* in the stack`);
    return role.logicalId;
  }
}
