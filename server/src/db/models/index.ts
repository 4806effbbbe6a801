import type { Sequelize } from 'sequelize';
import { ConversationModel, MessageModel } from './conversation.js';
import { DepartmentMemberModel, DepartmentModel } from './department.js';
import { SessionModel, SettingModel } from './session.js';
import { UserModel } from './user.js';
import { VisitorModel } from './visitor.js';

export { ConversationModel, DepartmentMemberModel, DepartmentModel, MessageModel, SessionModel, SettingModel, UserModel, VisitorModel };

export interface Models {
  User: typeof UserModel;
  Department: typeof DepartmentModel;
  DepartmentMember: typeof DepartmentMemberModel;
  Visitor: typeof VisitorModel;
  Conversation: typeof ConversationModel;
  Message: typeof MessageModel;
  Session: typeof SessionModel;
  Setting: typeof SettingModel;
}

/**
 * Binds a fresh subclass of every model to this Sequelize instance. Sequelize keeps a model's
 * connection in static state; subclassing per instance lets two databases live in one process
 * (the test suites run SQLite and MariaDB servers side by side). Tables come from sql/ only.
 */
export function defineModels(sequelize: Sequelize): Models {
  const models: Models = {
    User: class extends UserModel {},
    Department: class extends DepartmentModel {},
    DepartmentMember: class extends DepartmentMemberModel {},
    Visitor: class extends VisitorModel {},
    Conversation: class extends ConversationModel {},
    Message: class extends MessageModel {},
    Session: class extends SessionModel {},
    Setting: class extends SettingModel {},
  };
  for (const model of Object.values(models)) model.initialize(sequelize);
  models.DepartmentMember.belongsTo(models.User, { foreignKey: 'userId', as: 'user' });
  models.DepartmentMember.belongsTo(models.Department, { foreignKey: 'departmentId', as: 'department' });
  return models;
}
