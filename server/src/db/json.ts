import { DataTypes, type ModelAttributeColumnOptions } from 'sequelize';

/**
 * JSON kept as TEXT: MariaDB's JSON is a LONGTEXT alias that mysql2 hands back as a string, so a
 * native JSON column would read differently on the two databases. One explicit encoding for both.
 */
export function jsonText<T>(field: string, allowNull = false): ModelAttributeColumnOptions {
  return {
    type: DataTypes.TEXT,
    allowNull,
    get(this: { getDataValue(key: string): unknown }) {
      const raw = this.getDataValue(field);
      return raw === null || raw === undefined ? null : (JSON.parse(String(raw)) as T);
    },
    set(this: { setDataValue(key: string, value: unknown): void }, value: T | null) {
      this.setDataValue(field, value === null ? null : JSON.stringify(value));
    },
  };
}
