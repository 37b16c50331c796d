import { catalogPredicate } from './catalogPredicate';

const entity = 'catalog-entity';

describe('catalogPredicate', () => {
  it("turns the catalog's own rules into the predicates its rules' toQuery describe", () => {
    expect(
      catalogPredicate({
        rule: 'IS_ENTITY_OWNER',
        resourceType: entity,
        params: { claims: ['user:default/a', 'group:default/team'] },
      }),
    ).toEqual({
      'relations.ownedBy': { $in: ['user:default/a', 'group:default/team'] },
    });
    expect(
      catalogPredicate({
        allOf: [
          {
            rule: 'IS_ENTITY_KIND',
            resourceType: entity,
            params: { kinds: ['Component'] },
          },
          {
            anyOf: [
              {
                rule: 'HAS_ANNOTATION',
                resourceType: entity,
                params: { annotation: 'a/b' },
              },
              {
                rule: 'HAS_LABEL',
                resourceType: entity,
                params: { label: 'tier', value: 'gold' },
              },
            ],
          },
          {
            not: {
              rule: 'HAS_SPEC',
              resourceType: entity,
              params: { key: 'lifecycle', value: 'experimental' },
            },
          },
          {
            rule: 'HAS_METADATA',
            resourceType: entity,
            params: { key: 'title' },
          },
        ],
      }),
    ).toEqual({
      $all: [
        { kind: { $in: ['component'] } },
        {
          $any: [
            { 'metadata.annotations.a/b': { $exists: true } },
            { 'metadata.labels.tier': { $in: ['gold'] } },
          ],
        },
        { $not: { 'spec.lifecycle': { $in: ['experimental'] } } },
        { 'metadata.title': { $exists: true } },
      ],
    });
  });

  it('gives up (undefined) on a rule that is not the catalog’s own, anywhere in the tree, or on bad params', () => {
    expect(
      catalogPredicate({
        anyOf: [
          {
            rule: 'IS_ENTITY_OWNER',
            resourceType: entity,
            params: { claims: ['user:default/a'] },
          },
          { rule: 'CUSTOM_RULE', resourceType: entity, params: {} },
        ],
      }),
    ).toBeUndefined();
    expect(
      catalogPredicate({
        rule: 'IS_ENTITY_OWNER',
        resourceType: entity,
        params: { claims: 'user:default/a' },
      }),
    ).toBeUndefined();
    expect(
      catalogPredicate({
        rule: 'IS_ENTITY_OWNER',
        resourceType: 'scaffolder-template',
        params: { claims: ['user:default/a'] },
      }),
    ).toBeUndefined();
  });
});
