/*
 * Create: fill "New Postgres DB" for orders, see the task succeed with a pull request link,
 * the request on the service's tab before the merge, merge it in the forge, watch orders-db
 * turn healthy. The form's choices come from the backend; a reserved owner and storage out of
 * bounds are refused at their fields.
 */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import {
  APP,
  nameAvailability,
  openFormFor,
  page,
  pickGitopsRepository,
  shot,
} from '../portal';

export function create() {
  let prUrl: string;

  test('fill "New Postgres DB", submit, see the task succeed with a pull request link', async () => {
    const policy = page.waitForResponse(
      r => r.url().endsWith('/api/postgres/v1/policy') && r.status() === 200,
    );
    await openFormFor('orders');

    // where first: the environment says where the credentials go (the sandbox's pattern has
    // {name}: each database its own), then the namespace and the GitOps repository
    await page
      .getByText(
        'Credentials go to AWS SSM under /zerotouch/{environment}/{service}/{name}/postgres/{key}: each database has its own parameters.',
      )
      .waitFor();
    await page.getByRole('textbox', { name: /Namespace/ }).fill('orders');
    await pickGitopsRepository();
    await shot('01-form-placement');
    await page.getByRole('button', { name: 'Next' }).click();

    // the size, version and environment lists come from the backend's policy route (app-config)
    await page.getByRole('button', { name: /^Size/ }).click();
    await page
      .getByRole('option', {
        name: /Medium: 500m–2000m CPU.*reserves 500m CPU and 512Mi memory/,
      })
      .waitFor();
    await page.keyboard.press('Escape');
    // the form asked the backend's policy route for them; it serves app-config's lists
    assert.deepEqual((await (await policy).json()).versions, [
      '14',
      '15',
      '16',
      '17',
      '18',
    ]);

    // the claim name, left empty (orders-db), is free: the route answered for the whole request
    await nameAvailability().getByText('Available.').waitFor();
    await nameAvailability()
      .getByText('/zerotouch/dev/orders/orders-db/postgres/user')
      .waitFor();

    // a reserved owner is refused at the field, as typed, and "Review" stays on this page
    const owner = page.getByRole('textbox', { name: 'Database owner' });
    await owner.fill('postgres');
    await page
      .getByText(/'postgres' is reserved for CloudNative-PG/)
      .first()
      .waitFor();
    await page.getByRole('button', { name: 'Review' }).click();
    // refused by the field's validation on "Review": listed at the top, said under the field
    await page
      .getByText(
        "'Database owner' 'postgres' is reserved for CloudNative-PG; choose an application user, e.g. 'orders_app'.",
      )
      .waitFor();
    assert.equal(
      await page.getByRole('button', { name: 'Create' }).count(),
      0,
      '"Review" went on with a reserved owner',
    );
    await shot('01-form-reserved-owner');
    await owner.fill('');

    // storage within the platform's bounds (from the policy route, not the template)
    const storage = page.getByRole('spinbutton', { name: /Storage/ });
    await storage.fill('5');
    await page
      .getByText('5 GB is out of range; choose between 10 and 1000 GB.')
      .waitFor();
    await storage.fill('10');
    await nameAvailability().getByText('Available.').waitFor();
    await shot('01-form-database');
    await page.getByRole('button', { name: 'Review' }).click();
    await shot('03-form-review');
    await page.getByRole('button', { name: 'Create' }).click();

    const prLink = page.getByRole('link', { name: 'Pull request' });
    await prLink.waitFor({ timeout: 120_000 });
    await shot('04-task-completed');
    const href = await prLink.getAttribute('href');
    assert.match(
      href ?? '',
      /^http:\/\/127\.0\.0\.1:7020\/platform\/gitops\/pull\/\d+$/,
    );
    prUrl = href!;
  });

  test("before the merge, the service's tab shows the request with its pull request link", async () => {
    await page.goto(`${APP}/catalog/default/component/orders/databases`);
    const requests = page.getByRole('list', { name: 'Requested databases' });
    await requests.waitFor({ timeout: 60_000 });
    await requests.getByText('orders-db', { exact: true }).waitFor();
    await requests.getByText(/^Requested — pull request #\d+ open$/).waitFor();
    await requests.getByText(/Requested by guest/).waitFor();
    const link = requests.getByRole('link', { name: /^Pull request #\d+/ });
    assert.equal(await link.getAttribute('href'), prUrl);
    await shot('04b-orders-requested');
  });

  test('merge the pull request in the forge', async () => {
    await page.goto(prUrl);
    await page
      .getByRole('heading', {
        name: /databases\/orders\/orders-db\/postgresinstance\.yaml/,
      })
      .waitFor();
    await shot('05-pull-request');
    await page.getByRole('button', { name: 'Merge pull request' }).click();
    await page.getByText('Merged', { exact: true }).waitFor();
  });

  test('the new database reaches "healthy" on the service entity page', async () => {
    await page.goto(`${APP}/catalog/default/component/orders/databases`);
    const steps = page.getByRole('list', { name: 'Health of orders-db' });
    await steps.waitFor();
    await page
      .getByText('Healthy', { exact: true })
      .first()
      .waitFor({ timeout: 90_000 });
    // the request's times, with the time from "Create" to healthy
    await page
      .getByLabel('Request of orders-db')
      .getByText(/time to healthy \d+/)
      .waitFor({ timeout: 60_000 });
    assert.equal(
      await page.getByRole('list', { name: 'Requested databases' }).count(),
      0,
      'the request is still listed apart from its database',
    );
    await shot('06-orders-databases-healthy');
    const text = await steps.textContent();
    assert.match(text ?? '', /Cluster in healthy state/);
    // every hop's message is shown whole, not clipped at the column's edge
    const clipped = await steps.locator('li').evaluateAll(items =>
      items
        .flatMap(li => [li, ...li.querySelectorAll('*')])
        .filter(
          e =>
            ['hidden', 'clip'].includes(getComputedStyle(e).overflowX) &&
            e.scrollWidth > e.clientWidth + 1,
        )
        .map(e => e.textContent),
    );
    assert.deepEqual(clipped, []);
  });
}
