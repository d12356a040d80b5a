import { runService } from '@meridian/runtime';
import { coordinatorService } from './service';

runService(coordinatorService);
