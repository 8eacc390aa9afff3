import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Operator } from '../../../src/gen/edgeproto/operator.js';
import { catalogClients, deleteStored, putStored, type CatalogClients } from '../../helpers/catalog-clients.js';
import { call, collect, failure, startTestController, type TestController } from '../../helpers/controller-harness.js';
import { cloudlet } from '../../helpers/edgeproto-fixtures.js';

let ctl: TestController;
let c: CatalogClients;
beforeEach(async () => {
  ctl = await startTestController();
  c = catalogClients(ctl.apiAddress);
});
afterEach(async () => {
  c.close();
  await ctl.close();
});

const tdg = Operator.fromPartial({ key: { name: 'TDG' } });
const att = Operator.fromPartial({ key: { name: 'AT&T, Inc.' } });
const show = (req = Operator.fromPartial({})): Promise<Operator[]> => collect(c.operators.showOperator(req));

describe('OperatorApi', () => {
  it('creates, shows, updates and deletes; fields are never stored', async () => {
    await call(c.operators.createOperator.bind(c.operators), { ...tdg, fields: ['2'] });
    await call(c.operators.createOperator.bind(c.operators), att);
    expect(await show()).toHaveLength(2);
    expect(await show(Operator.fromPartial({ key: { name: 'TDG' } }))).toEqual([tdg]);
    await call(c.operators.updateOperator.bind(c.operators), { ...att, fields: ['2', '2.1'] });
    expect(await show(Operator.fromPartial({ key: { name: 'AT&T, Inc.' } }))).toEqual([att]);
    await call(c.operators.deleteOperator.bind(c.operators), tdg);
    expect(await show()).toEqual([att]);
  });

  it('refuses a duplicate create, and a delete or update of a missing operator', async () => {
    await call(c.operators.createOperator.bind(c.operators), tdg);
    expect(await failure(call(c.operators.createOperator.bind(c.operators), tdg))).toEqual({ code: 'ALREADY_EXISTS', details: 'operator TDG already exists' });
    const missing = Operator.fromPartial({ key: { name: 'Nope' } });
    expect(await failure(call(c.operators.deleteOperator.bind(c.operators), missing))).toEqual({ code: 'NOT_FOUND', details: 'operator Nope not found' });
    expect(await failure(call(c.operators.updateOperator.bind(c.operators), missing))).toEqual({ code: 'NOT_FOUND', details: 'operator Nope not found' });
  });

  it('refuses to delete an operator while a cloudlet of it exists', async () => {
    await call(c.operators.createOperator.bind(c.operators), tdg);
    const berlin = cloudlet('berlin-1');
    await putStored(ctl, ctl.controller.kinds.cloudlet, berlin, cloudlet('munich-1'));
    const refused = await failure(call(c.operators.deleteOperator.bind(c.operators), tdg));
    expect(refused).toEqual({ code: 'FAILED_PRECONDITION', details: 'operator TDG in use by cloudlet berlin-1, cloudlet munich-1' });
    expect(await show()).toEqual([tdg]);
    await deleteStored(ctl, ctl.controller.kinds.cloudlet, berlin, cloudlet('munich-1'));
    await call(c.operators.deleteOperator.bind(c.operators), tdg);
    expect(await show()).toEqual([]);
  });
});
