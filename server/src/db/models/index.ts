import type { Sequelize } from 'sequelize';
import { AttachmentModel, ConversationModel, MessageModel } from './conversation.js';
import { CannedResponseModel, ConversationEventModel } from './extras.js';
import { DepartmentMemberModel, DepartmentModel } from './department.js';
import { SessionModel, SettingModel } from './session.js';
import { UserModel } from './user.js';
import { VisitorModel } from './visitor.js';

export type { ClosedBy } from './conversation.js';
export { AttachmentModel, CannedResponseModel, ConversationEventModel, ConversationModel, DepartmentMemberModel, DepartmentModel, MessageModel, SessionModel, SettingModel, UserModel, VisitorModel };

export interface Models {
  User: typeof UserModel;
  Department: typeof DepartmentModel;
  DepartmentMember: typeof DepartmentMemberModel;
  Visitor: typeof VisitorModel;
  Conversation: typeof ConversationModel;
  Message: typeof MessageModel;
  Session: typeof SessionModel;
  Setting: typeof SettingModel;
  Attachment: typeof AttachmentModel;
  CannedResponse: typeof CannedResponseModel;
  ConversationEvent: typeof ConversationEventModel;
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
    Attachment: class extends AttachmentModel {},
    CannedResponse: class extends CannedResponseModel {},
    ConversationEvent: class extends ConversationEventModel {},
  };
  for (const model of Object.values(models)) model.initialize(sequelize);
  models.DepartmentMember.belongsTo(models.User, { foreignKey: 'userId', as: 'user' });
  models.DepartmentMember.belongsTo(models.Department, { foreignKey: 'departmentId', as: 'department' });
  models.User.hasMany(models.DepartmentMember, { foreignKey: 'userId', as: 'memberships' });
  models.Message.belongsTo(models.Attachment, { foreignKey: 'attachmentId', as: 'attachment', constraints: false });
  return models;
}
